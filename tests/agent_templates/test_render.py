"""The renderer: fixed state list, determinism, safe embedding of user data, guards."""

from __future__ import annotations

import json
import random
from typing import Any

import jsonata
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent_templates import (
    RenderError,
    RenderOptions,
    definition_json,
    definition_sha256,
    gateway_request,
    render_agent_definition,
    tool_routes,
)
from agent_templates.jsonata import is_expression, literal
from tests.agent_templates.helpers import GATEWAY_ARN, make_spec, make_tool, many_tools, state_names

EXPECTED_STATES = [
    "Start",
    "CallLLM",
    "NextStep",
    "RunTools",
    "RunTools/InvokeTool",
    "RunTools/ToolFailed",
    "RunToolsGuarded",
    "RunToolsGuarded/RouteToolCall",
    "RunToolsGuarded/UnknownTool",
    "RunToolsGuarded/RequestApproval",
    "RunToolsGuarded/CheckApproval",
    "RunToolsGuarded/ToolCallDenied",
    "RunToolsGuarded/GuardedInvokeTool",
    "RunToolsGuarded/GuardedToolFailed",
    "PrepareChild",
    "StartChild",
    "ChildFailed",
    "Answer",
    "TokenBudgetExceeded",
    "MaxTurnsExceeded",
    "LLMCallFailed",
]


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def test_state_list_is_independent_of_the_number_of_tools() -> None:
    spec = make_spec(tools=["tag:any"])
    counts = {}
    for n in (0, 1, 200):
        definition = render_agent_definition(spec, many_tools(n), GATEWAY_ARN)
        assert state_names(definition) == EXPECTED_STATES
        counts[n] = len(state_names(definition))
    assert counts == {0: 21, 1: 21, 200: 21}
    assert len(set(state_names(definition))) == 21  # names unique across the definition


def test_expressions_do_not_depend_on_the_spec_or_tools() -> None:
    """Every expression is a template constant: user data never becomes expression text."""

    def expressions(definition: dict[str, Any]) -> set[str]:
        return {s for s in _strings(definition) if is_expression(s)}

    small = render_agent_definition(make_spec(), [make_tool()], GATEWAY_ARN)
    other = render_agent_definition(
        make_spec(name="other", system="Different.", max_turns=3, max_tokens_per_run=99, approval="all"),
        many_tools(30),
        "arn:aws:lambda:eu-west-1:210987654321:function:gw:live",
        options=RenderOptions(env="prod", tool_concurrency=3),
    )
    assert expressions(small) == expressions(other)


def test_rendering_is_deterministic_and_order_free() -> None:
    spec = make_spec(tools=["tag:any"])
    tools = many_tools(25)
    shuffled = tools[:]
    random.Random(7).shuffle(shuffled)
    text = definition_json(spec, tools, GATEWAY_ARN)
    assert text == definition_json(spec, shuffled, GATEWAY_ARN)
    assert json.loads(text) == render_agent_definition(spec, tools, GATEWAY_ARN)
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = definition_sha256(spec, tools, GATEWAY_ARN)
    assert digest == definition_sha256(spec, shuffled, GATEWAY_ARN)
    assert digest != definition_sha256(spec, tools[:-1], GATEWAY_ARN)
    assert digest != definition_sha256(spec, tools, GATEWAY_ARN, options=RenderOptions(env="prod"))


def test_routes_carry_arn_version_timeout_and_approval() -> None:
    spec = make_spec(approval={"tools": ["c"]})
    tools = [
        make_tool("a", "1.2.3", timeout_seconds=7),
        make_tool("b", human_approval_required=True),
        make_tool("c", lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:tool-c-dev:3"),
    ]
    routes = tool_routes(spec, tools, RenderOptions(default_tool_timeout_seconds=42))
    assert routes == {
        "a": {"arn": tools[0].lambda_arn, "version": "1.2.3", "timeout": 7},
        "b": {"arn": tools[1].lambda_arn, "version": "1.0.0", "timeout": 42, "approval": True},
        "c": {"arn": tools[2].lambda_arn, "version": "1.0.0", "timeout": 42, "approval": True},
    }
    definition = render_agent_definition(spec, tools, GATEWAY_ARN)
    assert definition["States"]["Start"]["Assign"]["tools"]["b"]["approval"] is True
    assert "approval" not in tool_routes(make_spec(), tools[:1], RenderOptions())["a"]


def test_gateway_request_holds_the_fixed_request() -> None:
    spec = make_spec(fallbacks=["openai:gpt-5-mini"], temperature=0.2, max_tokens=512)
    request = gateway_request(spec, [make_tool("b"), make_tool("a")])
    assert request["model"] == "offline:default"
    assert request["fallbacks"] == ["openai:gpt-5-mini"]
    assert request["temperature"] == 0.2
    assert request["max_tokens"] == 512
    assert [t["name"] for t in request["tools"]] == ["a", "b"]
    assert set(request["tools"][0]) == {"name", "description", "input_schema"}
    plain = gateway_request(make_spec(), [])
    assert "fallbacks" not in plain and "temperature" not in plain and plain["tools"] == []
    call = render_agent_definition(spec, [make_tool("a")], GATEWAY_ARN)["States"]["CallLLM"]
    assert call["Arguments"]["FunctionName"] == GATEWAY_ARN
    assert call["Arguments"]["Payload"]["messages"] == "{% $states.input.messages %}"
    assert call["Retry"][0]["ErrorEquals"] == ["RateLimited", "ProviderTimeout", "ProviderUnavailable"]


def test_options_reach_the_definition() -> None:
    options = RenderOptions(env="prod", tool_concurrency=4)
    definition = render_agent_definition(
        make_spec(approval={"timeout_seconds": 600}), [], GATEWAY_ARN, options=options
    )
    assert definition["States"]["RunTools"]["MaxConcurrency"] == 4
    guarded = definition["States"]["RunToolsGuarded"]
    assert guarded["MaxConcurrency"] == 4
    approval = guarded["ItemProcessor"]["States"]["RequestApproval"]
    assert approval["TimeoutSeconds"] == 600
    assert approval["Arguments"]["Entries"][0]["EventBusName"] == "sfa-registry-prod"
    assert approval["Arguments"]["Entries"][0]["Detail"]["agent_name"] == "demo"


def _evaluate(text: str) -> Any:
    return jsonata.Jsonata(text[2:-2]).evaluate(None)


@pytest.mark.parametrize(
    "text",
    [
        "{% $states.input %}",
        "{%%}",
        "$.path",
        "$$",
        "States.Format('{}', $.x)",
        "{% a %} b %}",
        'q"u\\o{%te%}',
    ],
)
def test_literal_neutralizes_interpretable_strings(text: str) -> None:
    value = literal(text)
    if value == text:
        assert not is_expression(text)
    else:
        assert is_expression(value) and _evaluate(value) == text


@given(st.text(max_size=40).map(lambda s: "{%" + s + "%}") | st.text(max_size=40))
def test_literal_is_exact_for_any_text(text: str) -> None:
    value = literal(text)
    assert value == text or _evaluate(value) == text
    assert literal({"k": [text, 1, None, True]}) == {"k": [value, 1, None, True]}


def test_user_data_is_embedded_as_literal_data() -> None:
    nasty = '{% $error("pwned") %}'
    spec = make_spec(system=nasty)
    tool = make_tool(
        "t", description="$.secret", input_schema={"type": "object", "description": "States.UUID()"}
    )
    payload = render_agent_definition(spec, [tool], GATEWAY_ARN)["States"]["CallLLM"]["Arguments"]["Payload"]
    assert _evaluate(payload["system"]) == nasty
    assert _evaluate(payload["tools"][0]["description"]) == "$.secret"
    assert _evaluate(payload["tools"][0]["input_schema"]["description"]) == "States.UUID()"


def test_render_errors() -> None:
    spec = make_spec()
    with pytest.raises(RenderError, match="two resolved tools are named 'a'"):
        render_agent_definition(spec, [make_tool("a", "1.0.0"), make_tool("a", "2.0.0")], GATEWAY_ARN)
    with pytest.raises(RenderError, match="not a Lambda function ARN"):
        render_agent_definition(spec, [], "arn:aws:states:us-east-1:123456789012:stateMachine:x")
    big = make_spec(system="x" * 99_000)
    with pytest.raises(RenderError, match="of every LLM request"):
        render_agent_definition(big, many_tools(1000), GATEWAY_ARN)
    huge_schema = {"type": "object", "description": "y" * 3000}
    tools = [make_tool(f"t{i}", input_schema=huge_schema) for i in range(400)]
    with pytest.raises(RenderError, match="above Step Functions' limit"):
        render_agent_definition(
            spec, tools, GATEWAY_ARN, options=RenderOptions(max_static_payload_bytes=None)
        )


def test_template_avoids_the_emulator_quirks() -> None:
    """verified-facts: moto breaks on top-level string variables holding quotes; the template has
    none (the conversation is state data) and no non-deterministic function. ``$hash`` (approval
    digests) is Step Functions' own, which local mode implements (local.jsonata_eval)."""
    definition = render_agent_definition(make_spec(system='say "hi"'), many_tools(3), GATEWAY_ARN)
    text = definition_json(make_spec(), many_tools(3), GATEWAY_ARN)
    for name in ("$uuid", "$random", "$now", "$millis"):
        assert name not in text
    assert "$hash(" in text and "'SHA-256'" in text
    assigned: dict[str, Any] = {}

    def collect(states: dict[str, Any]) -> None:
        for state in states.values():
            assigned.update(state.get("Assign", {}))
            for catch in state.get("Catch", []):
                assigned.update(catch.get("Assign", {}))
            if "ItemProcessor" in state:
                collect(state["ItemProcessor"]["States"])

    collect(definition["States"])
    assert set(assigned) == {"tools", "limits", "turns", "tool_calls", "usage", "events", "chain"}
    start = definition["States"]["Start"]["Assign"]
    assert isinstance(start["tools"], dict) and isinstance(start["limits"], dict)
    assert isinstance(start["events"], int)
    # Counters start at zero, or at the parent's values in a child execution (history budget).
    assert all("sfa_chain" in start[name] for name in ("turns", "tool_calls", "usage", "chain"))


def test_seed_style_template_grows_with_tools() -> None:
    """The comparison template of bench/bench_agents.py: one Task state per tool."""
    from tests.agent_templates.seed_template import render_seed_definition

    def count(definition: dict[str, Any]) -> int:
        return sum(
            1 + count(s["ItemProcessor"]) if "ItemProcessor" in s else 1
            for s in definition["States"].values()
        )

    sizes = {n: count(render_seed_definition(make_spec(), many_tools(n), GATEWAY_ARN)) for n in (1, 10, 100)}
    assert sizes == {1: 12, 10: 21, 100: 111}
