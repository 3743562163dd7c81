"""A seed-style agent template, rendered only to compare with ``agent_templates`` (bench/bench_agents.py).

The older design: each execution loads the tool specs with a Map of DynamoDB GetItem calls
(``ToolRegistry`` items with ``version = "latest"`` and the spec as JSON text), and the Map over tool
calls routes with a Choice holding one branch per tool, each branch its own Task state. Written in
JSONata with the same Map/Output shape as the real template, so the comparison isolates the design.
"""

from __future__ import annotations

import json
from typing import Any

from agent_templates import ResolvedTool
from agent_templates.jsonata import expr, literal
from agent_templates.spec import AgentSpec

__all__ = ["REGISTRY_TABLE", "render_seed_definition"]

REGISTRY_TABLE = "ToolRegistry-dev"


def render_seed_definition(spec: AgentSpec, tools: list[ResolvedTool], gateway_arn: str) -> dict[str, Any]:
    names = sorted(t.name for t in tools)
    arns = {t.name: t.lambda_arn for t in tools}
    tool_result = (
        "{'type': 'tool_result', 'tool_use_id': $states.input.id, 'content': "
        "$type($states.result.Payload) = 'string' ? $states.result.Payload : $string($states.result.Payload)}"
    )
    catch = [
        {
            "ErrorEquals": ["States.ALL"],
            "Output": expr(
                "{'type': 'tool_result', 'tool_use_id': $states.input.id, 'is_error': true, "
                "'content': $states.errorOutput.Error}"
            ),
            "Next": "ToolFailed",
        }
    ]
    per_tool = {
        f"Invoke_{name}": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": arns[name], "Payload": expr("$states.input.input")},
            "Catch": catch,
            "Output": expr(tool_result),
            "End": True,
        }
        for name in names
    }
    iteration = {
        "RouteTool": {
            "Type": "Choice",
            "Choices": [
                {"Condition": expr(f"$states.input.name = {json.dumps(n)}"), "Next": f"Invoke_{n}"}
                for n in names
            ],
            "Default": "UnknownTool",
        },
        **per_tool,
        "UnknownTool": {
            "Type": "Pass",
            "Output": expr("{'type': 'tool_result', 'tool_use_id': $states.input.id, 'is_error': true}"),
            "End": True,
        },
        "ToolFailed": {"Type": "Pass", "End": True},
    }
    load = {
        "GetToolSpec": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:getItem",
            "Arguments": {
                "TableName": REGISTRY_TABLE,
                "Key": {"tool_name": {"S": expr("$states.input")}, "version": {"S": "latest"}},
            },
            "Output": expr("$parse($states.result.Item.spec.S)"),
            "End": True,
        }
    }
    answer = (
        "{'answer': $states.input.messages[-1].content[type = 'text'].text, "
        "'messages': $states.input.messages}"
    )
    states = {
        "Init": {
            "Type": "Pass",
            "Assign": {"names": literal(names), "turns": 0},
            "Output": expr(
                "{'messages': [{'role': 'user', "
                "'content': [{'type': 'text', 'text': $states.input.prompt}]}]}"
            ),
            "Next": "LoadToolSpecs",
        },
        "LoadToolSpecs": {
            "Type": "Map",
            "Items": expr("$names"),
            "MaxConcurrency": 10,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "GetToolSpec",
                "States": load,
            },
            "Assign": {"toolspecs": expr("$states.result")},
            "Output": expr("$states.input"),
            "Next": "CallLLM",
        },
        "CallLLM": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {
                "FunctionName": gateway_arn,
                "Payload": {
                    "model": spec.model,
                    "system": literal(spec.system),
                    "max_tokens": spec.max_tokens,
                    "tools": expr("$toolspecs"),
                    "messages": expr("$states.input.messages"),
                },
            },
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "LLMFailed"}],
            "Assign": {"turns": expr("$turns + 1")},
            "Output": expr(
                "{'messages': $append($states.input.messages, [$states.result.Payload.message]), "
                "'stop_reason': $states.result.Payload.stop_reason, "
                "'tool_calls': $states.result.Payload.tool_calls}"
            ),
            "Next": "CheckStop",
        },
        "CheckStop": {
            "Type": "Choice",
            "Choices": [{"Condition": expr("$states.input.stop_reason != 'tool_use'"), "Next": "Done"}],
            "Default": "RunTools",
        },
        "RunTools": {
            "Type": "Map",
            "Items": expr("$states.input.tool_calls"),
            "MaxConcurrency": 10,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "RouteTool",
                "States": iteration,
            },
            "Output": expr(
                "{'messages': $append($states.input.messages, [{'role': 'user', 'content': $states.result}])}"
            ),
            "Next": "CallLLM",
        },
        "Done": {"Type": "Succeed", "Output": expr(answer)},
        "LLMFailed": {"Type": "Fail", "Error": "LLMFailed"},
    }
    return {"QueryLanguage": "JSONata", "StartAt": "Init", "States": states}
