"""The states of the agent template, built as data (one function per state or group).

The state list is fixed; tools only change literal data (``$tools`` in ``Start`` and the tool
specs in ``CallLLM``), so the state count does not depend on the number of tools::

    Start ─► CallLLM ─► NextStep ─┬─► Answer                  (no tool use: status completed)
               ▲                  ├─► MaxTurnsExceeded        (Fail: Agent.MaxTurnsExceeded)
               │                  ├─► TokenBudgetExceeded     (status token_budget_exceeded)
               │                  ├─► RunTools (Map) ─────────┐  all calls known, none needs approval
               │                  └─► RunToolsGuarded (Map) ──┤  otherwise
               └──────────────────────────────────────────────┘
    CallLLM ─(not retryable / retries exhausted)─► LLMCallFailed (Fail: the gateway's errorType)

    RunTools iteration:        InvokeTool (dynamic FunctionName) ─(error)─► ToolFailed
    RunToolsGuarded iteration: RouteToolCall ─┬─► GuardedInvokeTool ─(error)─► GuardedToolFailed
                                              ├─► UnknownTool
                                              └─► RequestApproval (.waitForTaskToken) ─► CheckApproval
                                                                 ─┬─► GuardedInvokeTool
                                                                  └─► ToolCallDenied

The fast path costs one state transition per tool call instead of two (no routing Choice); state
names are unique across the definition, as Step Functions requires.
"""

from __future__ import annotations

from typing import Any

from agent_templates import expressions as x
from agent_templates.approval import (
    APPROVAL_EVENT_DETAIL_TYPE,
    APPROVAL_EVENT_SCHEMA_VERSION,
    EVENT_SOURCE,
    request_approval_state,
)
from agent_templates.chain import CHILD_FAILED, PREPARE_CHILD, START_CHILD, carried_counters, chain_states
from agent_templates.jsonata import expr, literal
from agent_templates.options import RenderOptions

__all__ = [
    "APPROVAL_EVENT_DETAIL_TYPE",
    "APPROVAL_EVENT_SCHEMA_VERSION",
    "EVENT_SOURCE",
    "GATEWAY_RETRYABLE_ERRORS",
    "ITERATION_STATES",
    "LAMBDA_SERVICE_ERRORS",
    "TOP_STATES",
    "agent_states",
]

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
# The gateway's retryable errorTypes (llm_gateway.errors: RateLimited, ProviderTimeout, ...).
GATEWAY_RETRYABLE_ERRORS = ["RateLimited", "ProviderTimeout", "ProviderUnavailable"]
LAMBDA_SERVICE_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]

START, CALL_LLM, NEXT_STEP, RUN_TOOLS = "Start", "CallLLM", "NextStep", "RunTools"
ANSWER, BUDGET, MAX_TURNS, LLM_FAILED = "Answer", "TokenBudgetExceeded", "MaxTurnsExceeded", "LLMCallFailed"
RUN_TOOLS_GUARDED = "RunToolsGuarded"
INVOKE, FAILED = "InvokeTool", "ToolFailed"
ROUTE, UNKNOWN, GUARDED_INVOKE, GUARDED_FAILED = (
    "RouteToolCall",
    "UnknownTool",
    "GuardedInvokeTool",
    "GuardedToolFailed",
)
REQUEST_APPROVAL, CHECK_APPROVAL, DENIED = "RequestApproval", "CheckApproval", "ToolCallDenied"
TOP_STATES = (
    START,
    CALL_LLM,
    NEXT_STEP,
    RUN_TOOLS,
    RUN_TOOLS_GUARDED,
    PREPARE_CHILD,
    START_CHILD,
    CHILD_FAILED,
    ANSWER,
    BUDGET,
    MAX_TURNS,
    LLM_FAILED,
)
ITERATION_STATES = (
    INVOKE,
    FAILED,
    ROUTE,
    UNKNOWN,
    REQUEST_APPROVAL,
    CHECK_APPROVAL,
    DENIED,
    GUARDED_INVOKE,
    GUARDED_FAILED,
)


def _catch_all(next_state: str, output: str) -> list[dict[str, Any]]:
    return [{"ErrorEquals": ["States.ALL"], "Output": expr(output), "Next": next_state}]


def start_state(variables: dict[str, Any]) -> dict[str, Any]:
    """Assigns the rendered data (``$tools``, ``$limits``) and counters (zero, or a parent's in a
    child execution: ``chain.carried_counters``); builds ``messages``."""
    assign = {name: literal(value) for name, value in variables.items()}
    assign.update(carried_counters())
    assign["events"] = variables["limits"]["history"]["start"]  # Assign sees no sibling values
    return {
        "Type": "Pass",
        "Comment": "Variables: the tool routing table and limits (rendered data), counters.",
        "Assign": assign,
        "Output": expr(x.INITIAL_MESSAGES),
        "Next": NEXT_STEP,
    }


def call_llm_state(gateway_arn: str, request: dict[str, Any], options: RenderOptions) -> dict[str, Any]:
    """The gateway call: the fixed request (model, system, tool specs, ...) as literal data plus the
    conversation so far; retries the gateway's retryable errors; anything else ends the run."""
    return {
        "Type": "Task",
        "Comment": "One LLM call through the gateway Lambda (normalized request, docs/design.md §6).",
        "Resource": LAMBDA_INVOKE,
        "Arguments": {
            "FunctionName": gateway_arn,
            "Payload": {**literal(request), "messages": expr("$states.input.messages")},
        },
        "Retry": [
            options.gateway_retry.rule(GATEWAY_RETRYABLE_ERRORS),
            options.lambda_retry.rule(LAMBDA_SERVICE_ERRORS),
        ],
        "Catch": _catch_all(LLM_FAILED, "$states.errorOutput"),
        "Assign": {
            "turns": expr("$turns + 1"),
            "usage": expr(x.USAGE_TOTAL),
            "events": expr(x.EVENTS_AFTER_LLM),
        },
        "Output": expr(x.LLM_OUTPUT),
        "Next": NEXT_STEP,
    }


def next_step_state() -> dict[str, Any]:
    return {
        "Type": "Choice",
        "Comment": "Answer when the model stops asking for tools; else check the limits, run the tools.",
        "Choices": [
            {"Condition": expr(x.IS_START), "Next": CALL_LLM},
            {"Condition": expr(x.NO_TOOL_USE), "Next": ANSWER},
            {"Condition": expr(x.TURN_LIMIT_REACHED), "Next": MAX_TURNS},
            {"Condition": expr(x.BUDGET_EXCEEDED), "Next": BUDGET},
            {"Condition": expr(x.HISTORY_BUDGET_REACHED), "Next": PREPARE_CHILD},
            {"Condition": expr(x.ALL_CALLS_DIRECT), "Next": RUN_TOOLS},
        ],
        "Default": RUN_TOOLS_GUARDED,
    }


def _map_state(
    comment: str, start_at: str, states: dict[str, Any], options: RenderOptions, events: str
) -> dict[str, Any]:
    """A Map over the model's tool calls; its result (tool_result blocks, in call order) becomes
    the next user message."""
    return {
        "Type": "Map",
        "Comment": comment,
        "Items": expr("$states.input.tool_calls"),
        "MaxConcurrency": options.tool_concurrency,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": start_at, "States": states},
        "Assign": {"tool_calls": expr(x.TOOL_CALLS_TOTAL), "events": expr(events)},
        "Output": expr(x.MESSAGES_WITH_TOOL_RESULTS),
        "Next": CALL_LLM,
    }


def _invoke_states(invoke: str, failed: str, options: RenderOptions, gateway_arn: str) -> dict[str, Any]:
    """The tool's Lambda, looked up by name in ``$tools`` (no per-tool branches), and the state its
    Catch reaches with the error result already built. With ``offload`` the call goes through the
    gateway Lambda's tool invoker (large results come back as references)."""
    if options.offload:
        arguments: dict[str, Any] = {
            "FunctionName": gateway_arn,
            "Payload": {
                "sfa_op": "invoke_tool",
                "function": expr("$lookup($tools, $states.input.name).arn"),
                "name": expr("$states.input.name"),
                "input": expr("$states.input.input"),
            },
        }
    else:
        arguments = {
            "FunctionName": expr("$lookup($tools, $states.input.name).arn"),
            "Payload": expr("$states.input.input"),
        }
    return {
        invoke: {
            "Type": "Task",
            "Resource": LAMBDA_INVOKE,
            "Arguments": arguments,
            "TimeoutSeconds": expr("$lookup($tools, $states.input.name).timeout"),
            # With offload, the gateway's own transient failures (S3, Step Functions) are retried too.
            "Retry": [
                options.lambda_retry.rule(
                    [*LAMBDA_SERVICE_ERRORS, *GATEWAY_RETRYABLE_ERRORS]
                    if options.offload
                    else LAMBDA_SERVICE_ERRORS
                )
            ],
            "Catch": _catch_all(failed, x.TOOL_ERROR_RESULT),
            "Output": expr(x.TOOL_RESULT_AS_GIVEN if options.offload else x.TOOL_RESULT),
            "End": True,
        },
        failed: {"Type": "Pass", "Comment": f"The error result was built by {invoke}'s Catch.", "End": True},
    }


def run_tools_state(options: RenderOptions, gateway_arn: str) -> dict[str, Any]:
    """Fast path (one transition per call): every call names a known tool that needs no approval."""
    return _map_state(
        "Every call is to a known tool without approval: invoke directly.",
        INVOKE,
        _invoke_states(INVOKE, FAILED, options, gateway_arn),
        options,
        x.EVENTS_AFTER_TOOLS,
    )


def run_tools_guarded_state(
    agent_name: str, approval_timeout: int, options: RenderOptions, gateway_arn: str
) -> dict[str, Any]:
    """Some call names an unknown tool or needs approval: route each call first."""
    states = {
        ROUTE: {
            "Type": "Choice",
            "Choices": [
                {"Condition": expr(x.UNKNOWN_TOOL), "Next": UNKNOWN},
                {"Condition": expr(x.NEEDS_APPROVAL), "Next": REQUEST_APPROVAL},
            ],
            "Default": GUARDED_INVOKE,
        },
        UNKNOWN: {"Type": "Pass", "Output": expr(x.UNKNOWN_TOOL_RESULT), "End": True},
        REQUEST_APPROVAL: request_approval_state(
            agent_name, approval_timeout, options, check_state=CHECK_APPROVAL, catch_output=x.APPROVAL_ERROR
        ),
        CHECK_APPROVAL: {
            "Type": "Choice",
            "Choices": [{"Condition": expr(x.APPROVED), "Next": GUARDED_INVOKE}],
            "Default": DENIED,
        },
        DENIED: {"Type": "Pass", "Output": expr(x.DENIED_RESULT), "End": True},
        **_invoke_states(GUARDED_INVOKE, GUARDED_FAILED, options, gateway_arn),
    }
    return _map_state(
        "Route each call: unknown tool, approval, or invoke.",
        ROUTE,
        states,
        options,
        x.EVENTS_AFTER_GUARDED_TOOLS,
    )


def terminal_states() -> dict[str, Any]:
    return {
        ANSWER: {"Type": "Succeed", "Output": expr(x.run_output("completed"))},
        BUDGET: {"Type": "Succeed", "Output": expr(x.run_output("token_budget_exceeded"))},
        MAX_TURNS: {"Type": "Fail", "Error": "Agent.MaxTurnsExceeded", "Cause": expr(x.MAX_TURNS_CAUSE)},
        LLM_FAILED: {
            "Type": "Fail",
            "Error": expr("$states.input.Error"),
            "Cause": expr(f"'LLM gateway call failed: ' & {x.error_text('$states.input')}"),
        },
    }


def agent_states(
    *,
    agent_name: str,
    gateway_arn: str,
    request: dict[str, Any],
    variables: dict[str, Any],
    approval_timeout_seconds: int,
    options: RenderOptions,
) -> dict[str, Any]:
    """Every top-level state, in reading order."""
    return {
        START: start_state(variables),
        CALL_LLM: call_llm_state(gateway_arn, request, options),
        NEXT_STEP: next_step_state(),
        RUN_TOOLS: run_tools_state(options, gateway_arn),
        RUN_TOOLS_GUARDED: run_tools_guarded_state(
            agent_name, approval_timeout_seconds, options, gateway_arn
        ),
        **chain_states(gateway_arn, options),
        **terminal_states(),
    }
