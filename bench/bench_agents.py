"""Agent template vs a seed-style template: state counts, definition size, state transitions.

* States and definition bytes are counted on rendered definitions (1/10/100/1,000 tools with
  realistic specs: ~120-character descriptions, 3-property schemas).
* Transitions are **measured**: both templates run as real executions on the local emulator (fake
  gateway Lambda, real tool Lambdas, a DynamoDB ToolRegistry for the seed). A turn with k tool calls
  is the ``StateEntered`` events from one ``CallLLM`` entry to the next (CallLLM, the Choice, the
  Map and each iteration's states); a billed state transition is one entered state.
* The seed-style template (``tests/agent_templates/seed_template.py``, for comparison only) is the
  older design: each execution loads tool specs with a Map of DynamoDB GetItem calls, and the Map
  over tool calls routes with a Choice holding one branch per tool, each branch its own Task state.

Run with ``python bench/bench_agents.py`` or ``python -m bench --only agents`` (~20 s).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent_templates import RenderOptions, ResolvedTool, canonical_json, render_agent_definition
from agent_templates.spec import validate_agent_spec
from tests.agent_templates.seed_template import REGISTRY_TABLE, render_seed_definition

GATEWAY_ARN = "arn:aws:lambda:us-east-1:123456789012:function:sfa-llm-gateway-dev"
SIZES = (1, 10, 100, 1000)
K2_PROMPT = 'reverse_text {"text": "stressed"} and word_count {"text": "one two three"}'
PROMPTS_BY_K = {
    1: 'reverse_text {"text": "stressed"}',
    2: K2_PROMPT,
    3: 'reverse_text {"text": "a"} reverse_text {"text": "b"} word_count {"text": "c d"}',
}
# An unknown name in the batch sends it through the guarded Map (route each call first).
GUARDED_K2_PROMPT = '!ghost_tool {"q": 1} and word_count {"text": "one two three"}'


def bench_tools(count: int) -> list[ResolvedTool]:
    schema = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "What to look up."},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            "units": {"type": "string", "enum": ["metric", "imperial"]},
        },
        "required": ["query"],
    }
    return [
        ResolvedTool(
            name=f"tool_{i:04d}",
            version="1.0.0",
            lambda_arn=f"arn:aws:lambda:us-east-1:123456789012:function:tool-tool_{i:04d}-dev:1",
            description=f"Tool {i}: looks up one kind of travel information and returns it as JSON data.",
            input_schema=schema,
        )
        for i in range(count)
    ]


def count_states(definition: dict[str, Any]) -> int:
    total = 0
    for state in definition["States"].values():
        total += 1
        if "ItemProcessor" in state:
            total += count_states(state["ItemProcessor"])
    return total


# ---------------------------------------------------------------- emulator runs
def _turn_profile(history: list[dict[str, Any]]) -> dict[str, int]:
    """Entered states and history events of the first CallLLM → next CallLLM turn, and in all."""
    entered = [i for i, e in enumerate(history) if "stateEnteredEventDetails" in e]
    calls = [i for i in entered if history[i]["stateEnteredEventDetails"]["name"] == "CallLLM"]
    first, second = calls[0], calls[1]
    return {
        "transitions_per_turn": sum(1 for i in entered if first <= i < second),
        "history_events_per_turn": second - first,
        "transitions_before_first_llm_call": sum(1 for i in entered if i < first),
        "transitions_per_execution": len(entered),
        "history_events_per_execution": len(history),
    }


def measure_on_emulator() -> dict[str, dict[str, int]]:
    from local.emulator import LocalAws
    from local.testing import create_state_machine
    from tests.agent_templates.harness import (
        FAST_OPTIONS,
        DeployedAgent,
        ToolDef,
        deploy_agent,
        deploy_fake_gateway,
        deploy_tools,
    )

    aws = LocalAws().start()
    try:
        with tempfile.TemporaryDirectory() as state_dir:
            gateway = deploy_fake_gateway(aws, state_dir)
            tools = deploy_tools(aws, [ToolDef("reverse_text"), ToolDef("word_count")])
            spec = validate_agent_spec({"name": "bench", "model": "offline:default", "tools": ["tag:any"]})
            agent = deploy_agent(aws, spec, tools, gateway, options=FAST_OPTIONS)
            profiles = {
                f"agent_k{k}": _turn_profile(_checked(agent.run({"prompt": p})).history)
                for k, p in PROMPTS_BY_K.items()
            }
            profiles["agent_guarded_k2"] = _turn_profile(
                _checked(agent.run({"prompt": GUARDED_K2_PROMPT})).history
            )

            ddb = aws.client("dynamodb")
            ddb.create_table(
                TableName=REGISTRY_TABLE,
                KeySchema=[
                    {"AttributeName": "tool_name", "KeyType": "HASH"},
                    {"AttributeName": "version", "KeyType": "RANGE"},
                ],
                AttributeDefinitions=[
                    {"AttributeName": "tool_name", "AttributeType": "S"},
                    {"AttributeName": "version", "AttributeType": "S"},
                ],
                BillingMode="PAY_PER_REQUEST",
            )
            extra = bench_tools(98)  # registered and loaded by the seed, never called
            for tool in [*tools, *extra]:
                item = {
                    "tool_name": {"S": tool.name},
                    "version": {"S": "latest"},
                    "spec": {"S": json.dumps(tool.llm_spec())},
                }
                ddb.put_item(TableName=REGISTRY_TABLE, Item=item)
            for label, seed_tools in (("seed", tools), ("seed_100_tools", [*tools, *extra])):
                definition = render_seed_definition(spec, seed_tools, gateway)
                arn = create_state_machine(aws, f"seed-{label}", definition)["stateMachineArn"]
                seed = DeployedAgent(aws, arn, definition, {}, gateway)
                profiles[label] = _turn_profile(_checked(seed.run({"prompt": K2_PROMPT})).history)
    finally:
        aws.stop()
    return profiles


def _checked(run: Any) -> Any:
    if run.status != "SUCCEEDED" or run.output.get("answer") is None:
        raise RuntimeError(f"benchmark execution did not succeed: {run.status} {run.error} {run.cause}")
    return run


def run() -> dict[str, dict]:
    spec = validate_agent_spec({"name": "bench", "model": "offline:default", "tools": ["tag:any"]})
    unguarded = RenderOptions(max_static_payload_bytes=None)
    agent_bytes, seed_bytes, agent_states, seed_states, payload = {}, {}, {}, {}, {}
    for n in SIZES:
        tools = bench_tools(n)
        agent = render_agent_definition(spec, tools, GATEWAY_ARN, options=unguarded)
        seed = render_seed_definition(spec, tools, GATEWAY_ARN)
        agent_bytes[n], seed_bytes[n] = (
            len(canonical_json(agent).encode()),
            len(canonical_json(seed).encode()),
        )
        agent_states[n], seed_states[n] = count_states(agent), count_states(seed)
        payload[n] = len(canonical_json(agent["States"]["CallLLM"]["Arguments"]["Payload"]).encode())
    measured = measure_on_emulator()
    ours, seed, seed100 = measured["agent_k2"], measured["seed"], measured["seed_100_tools"]
    method = "measured on the local emulator: StateEntered events from one CallLLM entry to the next"
    return {
        "agent_states_1_tool": {
            "value": agent_states[1],
            "unit": "states",
            "baseline": "seed_states_100_tools",
        },
        "agent_states_1000_tools": {
            "value": agent_states[1000],
            "unit": "states",
            "baseline": "seed_states_1000_tools",
            "by_tools": {str(n): agent_states[n] for n in SIZES},
        },
        "seed_states_100_tools": {"value": seed_states[100], "unit": "states"},
        "seed_states_1000_tools": {
            "value": seed_states[1000],
            "unit": "states",
            "by_tools": {str(n): seed_states[n] for n in SIZES},
        },
        "agent_definition_bytes_1000_tools": {
            "value": agent_bytes[1000],
            "unit": "bytes",
            "baseline": "seed_definition_bytes_1000_tools",
            "by_tools": {str(n): agent_bytes[n] for n in SIZES},
            "llm_static_payload_bytes_by_tools": {str(n): payload[n] for n in SIZES},
            "note": (
                "tool specs are literal data in the definition (the seed loads them per execution); both "
                "designs send them on every LLM call, so above ~160 KB of specs (the renderer's default "
                "guard; Step Functions caps state data at 256 KB) an agent has too many tools either way"
            ),
        },
        "seed_definition_bytes_1000_tools": {
            "value": seed_bytes[1000],
            "unit": "bytes",
            "by_tools": {str(n): seed_bytes[n] for n in SIZES},
        },
        "transitions_per_turn_k2": {
            "value": ours["transitions_per_turn"],
            "unit": "state transitions",
            "baseline": "seed_transitions_per_turn_k2",
            "method": method,
            **{k: v for k, v in ours.items() if k != "transitions_per_turn"},
            "transitions_per_turn_by_k": {
                str(k): measured[f"agent_k{k}"]["transitions_per_turn"] for k in PROMPTS_BY_K
            },
            "guarded_path_transitions_per_turn_k2": measured["agent_guarded_k2"]["transitions_per_turn"],
            "note": "fast path (known tools, no approval): 3 + k; guarded (unknown name or approval): 3 + 2k",
        },
        "seed_transitions_per_turn_k2": {
            "value": seed["transitions_per_turn"],
            "unit": "state transitions",
            "method": method,
            **{k: v for k, v in seed.items() if k != "transitions_per_turn"},
            "transitions_before_first_llm_call_100_tools": seed100["transitions_before_first_llm_call"],
            "transitions_per_execution_100_tools": seed100["transitions_per_execution"],
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
