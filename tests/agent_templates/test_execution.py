"""Rendered agents running as real Step Functions executions on the local emulator.

Human approval: test_approval.py; the history budget: test_history_budget.py, test_chain_input.py.

The gateway is ``fake_gateway.py`` (the offline provider's documented rule on the normalized format)
deployed as a Lambda; tools are real Lambdas. Assertions read the execution's output and history.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent_templates import gateway_request
from tests.agent_templates.harness import (
    DeployedAgent,
    ToolDef,
    deploy_agent,
    deploy_fake_gateway,
    deploy_tools,
)
from tests.agent_templates.helpers import make_spec


@pytest.fixture
def gateway(aws: Any, tmp_path: Any) -> str:
    return deploy_fake_gateway(aws, str(tmp_path))


def agent(aws: Any, gateway: str, tools: list[ToolDef], **spec: Any) -> DeployedAgent:
    resolved = deploy_tools(aws, tools)
    return deploy_agent(aws, make_spec(tools=["tag:any"], **spec), resolved, gateway)


def tool_results(output: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for m in output["messages"] for b in m["content"] if b.get("type") == "tool_result"]


def tool_uses(output: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for m in output["messages"] for b in m["content"] if b.get("type") == "tool_use"]


def test_two_tools_called_in_parallel_in_one_turn(aws: Any, gateway: str) -> None:
    bot = agent(aws, gateway, [ToolDef("reverse_text"), ToolDef("word_count")])
    run = bot.run({"prompt": 'reverse_text {"text": "stressed"} then word_count {"text": "one two three"}'})

    assert run.status == "SUCCEEDED", run.cause
    out = run.output
    assert out["status"] == "completed" and out["stop_reason"] == "end_turn"
    assert out["turns"] == 2 and out["tool_calls"] == 2
    uses, results = tool_uses(out), tool_results(out)
    assert [u["name"] for u in uses] == ["reverse_text", "word_count"]
    # One assistant turn with both calls, one user message with both results, paired by id, in order.
    assert [r["tool_use_id"] for r in results] == [u["id"] for u in uses]
    assert [r["content"] for r in results] == ["desserts", '{"words":3}']
    assert not any(r.get("is_error") for r in results)
    assert [m["role"] for m in out["messages"]] == ["user", "assistant", "user", "assistant"]
    assert "desserts" in out["answer"] and '{"words":3}' in out["answer"]
    assert out["usage"]["input_tokens"] > 0 and out["usage"]["output_tokens"] == 20
    # History: one Map over 2 iterations, 2 gateway calls, each tool's own Lambda invoked once.
    assert len(run.events("MapStateStarted")) == 1
    assert run.entered().count("RunTools") == 1 and "RouteToolCall" not in run.entered()  # fast path
    assert len(run.events("MapIterationSucceeded")) == 2
    functions = run.scheduled_functions()
    assert functions.count(bot.gateway_arn) == 2
    assert sorted(f for f in functions if f != bot.gateway_arn) == sorted(
        t.lambda_arn for t in bot.tools.values()
    )


def test_tool_error_goes_back_to_the_llm(aws: Any, gateway: str) -> None:
    bot = agent(aws, gateway, [ToolDef("boom"), ToolDef("reverse_text")])
    run = bot.run({"prompt": 'boom {"x": 1} reverse_text {"text": "ok"}'})
    assert run.status == "SUCCEEDED", run.cause
    failed, fine = tool_results(run.output)
    assert failed["is_error"] is True
    assert failed["content"] == "Tool boom failed: ValueError: cannot handle {'x': 1}"
    assert fine == {"type": "tool_result", "tool_use_id": tool_uses(run.output)[1]["id"], "content": "ko"}
    assert run.entered().count("ToolFailed") == 1 and run.entered().count("InvokeTool") == 2


def test_unknown_tool_goes_back_to_the_llm(aws: Any, gateway: str) -> None:
    bot = agent(aws, gateway, [ToolDef("reverse_text"), ToolDef("boom")])
    run = bot.run({"prompt": '!ghost_tool {"q": 1} reverse_text {"text": "ok"} boom {}'})
    assert run.status == "SUCCEEDED", run.cause
    unknown, fine, failed = tool_results(run.output)
    assert [r["tool_use_id"] for r in (unknown, fine, failed)] == [u["id"] for u in tool_uses(run.output)]
    assert unknown["is_error"] is True
    assert unknown["content"] == "Unknown tool ghost_tool: this agent has no tool of that name."
    assert fine["content"] == "ko" and "is_error" not in fine
    assert (
        failed["is_error"] is True and failed["content"] == "Tool boom failed: ValueError: cannot handle {}"
    )
    # A batch with an unknown name takes the guarded Map: every call is routed first.
    entered = run.entered()
    assert "RunToolsGuarded" in entered and "RunTools" not in entered
    assert entered.count("RouteToolCall") == 3 and entered.count("UnknownTool") == 1
    assert entered.count("GuardedInvokeTool") == 2 and entered.count("GuardedToolFailed") == 1


@pytest.mark.parametrize(
    ("tool", "expected"),
    [
        # the Lambda's own timeout (1 s) fires: the runner reports Lambda's Sandbox.Timedout
        (ToolDef("sleepy", lambda_timeout=1), "Tool sleepy failed: Sandbox.Timedout"),
        # the manifest's timeout_seconds (1 s) is the Task's TimeoutSeconds
        (ToolDef("sleepy", timeout_seconds=1, lambda_timeout=10), "Tool sleepy failed: States.Timeout"),
    ],
)
def test_tool_timeout_goes_back_to_the_llm(aws: Any, gateway: str, tool: ToolDef, expected: str) -> None:
    bot = agent(aws, gateway, [tool])
    run = bot.run({"prompt": 'sleepy {"seconds": 3}'})
    assert run.status == "SUCCEEDED", run.cause
    (result,) = tool_results(run.output)
    assert result["is_error"] is True
    assert result["content"].startswith(expected)


def test_max_turns_fails_the_run_with_a_clear_status(aws: Any, gateway: str) -> None:
    bot = agent(aws, gateway, [ToolDef("reverse_text")], max_turns=1)
    run = bot.run({"prompt": 'reverse_text {"text": "abc"}'})
    assert run.status == "FAILED"
    assert run.error == "Agent.MaxTurnsExceeded"
    cause = json.loads(run.cause)
    assert cause["status"] == "max_turns_exceeded"
    assert cause["max_turns"] == 1 and cause["turns"] == 1 and cause["tool_calls"] == 0
    assert cause["pending_tool_calls"] == ["reverse_text"]
    assert not run.events("MapStateStarted")  # the tool never ran


def test_token_budget_ends_the_run_with_its_status(aws: Any, gateway: str) -> None:
    bot = agent(aws, gateway, [ToolDef("reverse_text")], max_tokens_per_run=50)
    run = bot.run({"prompt": 'reverse_text {"text": "abc"}'})
    assert run.status == "SUCCEEDED", run.cause
    assert run.output["status"] == "token_budget_exceeded"
    assert run.output["turns"] == 1 and run.output["tool_calls"] == 0
    assert sum(run.output["usage"].values()) >= 50
    assert run.output["answer"] == "Calling tools."


def test_gateway_errors_retry_or_fail_the_run(aws: Any, gateway: str) -> None:
    bot = agent(aws, gateway, [ToolDef("reverse_text")])
    fatal = bot.run({"prompt": "RAISE:InvalidRequest please"})
    assert fatal.status == "FAILED"
    assert fatal.error == "InvalidRequest"
    assert (
        fatal.cause
        == "LLM gateway call failed: InvalidRequest: the fake gateway was told to raise InvalidRequest"
    )
    assert fatal.scheduled_functions() == [bot.gateway_arn]  # not retried

    flaky = bot.run({"prompt": "FLAKY:RateLimited:1 hello"})
    assert flaky.status == "SUCCEEDED", flaky.cause
    assert flaky.output["answer"] == "No tools."
    assert flaky.scheduled_functions() == [bot.gateway_arn, bot.gateway_arn]  # retried once

    exhausted = bot.run({"prompt": "FLAKY:ProviderUnavailable:5 hello"})
    assert exhausted.status == "FAILED" and exhausted.error == "ProviderUnavailable"
    assert len(exhausted.scheduled_functions()) == 2  # 1 try + MaxAttempts 1 in tests


def test_messages_input_continues_a_conversation(aws: Any, gateway: str) -> None:
    bot = agent(aws, gateway, [ToolDef("reverse_text")])
    first = bot.run({"prompt": 'reverse_text {"text": "abc"}'})
    follow_up = {"role": "user", "content": [{"type": "text", "text": 'reverse_text {"text": "xyz"}'}]}
    second = bot.run({"messages": [*first.output["messages"], follow_up]})
    assert second.status == "SUCCEEDED", second.cause
    assert len(second.output["messages"]) == len(first.output["messages"]) + 4
    assert tool_results(second.output)[-1]["content"] == "zyx"

    bad = bot.run({"question": "no prompt"})
    assert bad.status == "FAILED"
    assert "prompt" in (bad.cause or "")


def test_user_data_reaches_the_gateway_verbatim(aws: Any, gateway: str) -> None:
    """System prompt and tool specs with quotes, backslashes, ``{% %}``, ``$`` and ASL keywords."""
    system = 'Say "hi" \\ {% $states.input %} $.x States.UUID() ünïcode 😀'
    resolved = deploy_tools(aws, [ToolDef("echo")])
    tool = resolved[0].model_copy(
        update={
            "description": "{% $error('x') %}",
            "input_schema": {
                "type": "object",
                "properties": {
                    "Type": {"type": "string", "description": "$$"},
                    "Next": {"const": "States.ALL"},
                },
            },
        }
    )
    spec = make_spec(system=system, tools=["tag:any"])
    bot = deploy_agent(aws, spec, [tool], gateway)
    run = bot.run({"prompt": 'ECHO_REQUEST "quoted" \\ {% 1 %}'})
    assert run.status == "SUCCEEDED", run.cause
    echoed = json.loads(run.output["answer"])
    expected = gateway_request(spec, [tool])
    assert echoed == {"system": expected["system"], "tools": expected["tools"]}
    assert run.output["messages"][0]["content"][0]["text"] == 'ECHO_REQUEST "quoted" \\ {% 1 %}'


def test_two_hundred_tools_route_by_name(aws: Any, gateway: str) -> None:
    """The same 15 states serve 200 tools: the Map's Task looks the ARN up in $tools."""
    (echo,) = deploy_tools(aws, [ToolDef("echo")])
    tools = [echo.model_copy(update={"name": f"tool_{i:03d}"}) for i in range(200)]
    target = tools[150].model_copy(
        update={"lambda_arn": deploy_tools(aws, [ToolDef("reverse_text")])[0].lambda_arn}
    )
    tools[150] = target
    bot = deploy_agent(aws, make_spec(tools=["tag:any"]), tools, gateway)
    run = bot.run({"prompt": 'tool_150 {"text": "lambda"} tool_007 {"n": 7}'})
    assert run.status == "SUCCEEDED", run.cause
    assert [r["content"] for r in tool_results(run.output)] == ["adbmal", '{"n":7}']
    assert target.lambda_arn in run.scheduled_functions()
