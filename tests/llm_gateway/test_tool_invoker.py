"""The gateway's tool invoker calls only the calling agent's tools, inside the tool cap.

Authorization comes from data the gateway trusts: its own account/region (the Lambda context), the
calling execution as Step Functions describes it, and the tool set of the definition (version) that
execution runs — never from the request (a forged ``allowed`` list grants nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from agent_templates import RenderOptions, render_agent_definition, validate_agent_spec
from llm_gateway import handler as handler_module
from llm_gateway.callers import DefinitionCache, definition_tool_arns
from llm_gateway.errors import InvalidRequest, ToolNotAllowed
from llm_gateway.platform_ops import ToolCap
from tests.llm_gateway.fakes.aws import (
    ACCOUNT,
    FUNCTIONS,
    GATEWAY,
    MACHINES,
    REGION,
    FakeLambda,
    FakeStepFunctions,
    gateway_context,
    tool,
)

SEARCH = tool("search")  # …:function:tool-search-dev:3
FETCH = tool("fetch")
OTHERS = tool("payroll")  # a tool of another agent
EXTRA = f"{FUNCTIONS}:team-a-search"  # an extra names a function: its published versions are tools
CAP = ToolCap(env="dev", region=REGION, account=ACCOUNT, extra_arns=(EXTRA, f"{FUNCTIONS}:team-b-*"))


@pytest.fixture
def sfn() -> Iterator[FakeStepFunctions]:
    fake, lam = FakeStepFunctions(), FakeLambda()
    handler_module.set_platform_clients(stepfunctions=fake, **{"lambda": lam}, store=None)
    fake.lam = lam  # type: ignore[attr-defined]
    yield fake
    handler_module.set_platform_clients()


def _invoke(function: str, execution: Any, context: Any = None, **extra: Any) -> Any:
    event = {"sfa_op": "invoke_tool", "function": function, "name": "t", "input": {"q": 1}, **extra}
    if execution is not None:
        event["execution_arn"] = execution
    return handler_module.handler(event, gateway_context() if context is None else context)


def _planner(sfn: FakeStepFunctions, **start: Any) -> str:
    """The planner agent (search, fetch) and a running execution of its version 1."""
    sfn.deploy("payroll-bot", [OTHERS])
    return sfn.start(sfn.deploy("planner", [SEARCH, FETCH]), **start)


# -- through the handler: the calling execution's definition ------------------------------------------


def test_a_tool_of_the_calling_agents_version_is_invoked(sfn: FakeStepFunctions) -> None:
    run = _planner(sfn)
    assert json.loads(_invoke(SEARCH.lambda_arn, run)) == {"echo": {"q": 1}}
    assert json.loads(_invoke(FETCH.lambda_arn, run)) == {"echo": {"q": 1}}
    assert sfn.lam.calls == [("Invoke", SEARCH.lambda_arn), ("Invoke", FETCH.lambda_arn)]  # type: ignore[attr-defined]
    # Every call checks the execution is running; the version's definition is read once (immutable).
    assert sfn.count("DescribeExecution") == 2
    assert sfn.calls.count(("DescribeStateMachine", f"{MACHINES}:agent-planner-dev:1")) == 1


@pytest.mark.parametrize(
    "function",
    [OTHERS.lambda_arn, f"{FUNCTIONS}:tool-search-dev:4", f"{FUNCTIONS}:tool-unknown-dev:1"],
    ids=["another-agents-tool", "another-version", "unregistered"],
)
def test_a_tool_outside_the_calling_definition_is_refused_whatever_the_request_lists(
    sfn: FakeStepFunctions, function: str
) -> None:
    run = _planner(sfn)
    with pytest.raises(ToolNotAllowed, match="not a tool of the calling agent's definition"):
        _invoke(function, run, allowed=[function, SEARCH.lambda_arn])  # a forged allowed list
    assert sfn.lam.calls == []  # type: ignore[attr-defined]


def test_a_request_naming_another_agents_execution_gets_that_agents_tools_only(
    sfn: FakeStepFunctions,
) -> None:
    """The ARN names the caller, but only a tool of what *that* execution runs is ever invoked."""
    payroll_run = sfn.start(f"{MACHINES}:agent-payroll-bot-dev:1", run="payroll-1")
    _planner(sfn)
    with pytest.raises(ToolNotAllowed, match="not a tool of the calling agent's definition"):
        _invoke(SEARCH.lambda_arn, payroll_run)


@pytest.mark.parametrize(
    ("execution", "why"),
    [
        (None, "names no calling execution"),
        ("run-1", "names no calling execution"),
        (f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:agent-planner-dev", "names no calling execution"),
        (f"arn:aws:states:{REGION}:999999999999:execution:agent-planner-dev:run-1", "account and region"),
        (f"arn:aws:states:eu-west-1:{ACCOUNT}:execution:agent-planner-dev:run-1", "account and region"),
        (f"arn:aws-cn:states:{REGION}:{ACCOUNT}:execution:agent-planner-dev:run-1", "account and region"),
        (f"arn:aws:states:{REGION}:{ACCOUNT}:execution:agent-planner-prod:run-1", "agent-<name>-dev"),
        (f"arn:aws:states:{REGION}:{ACCOUNT}:execution:agent-planner-dev-x:run-1", "agent-<name>-dev"),
        (f"arn:aws:states:{REGION}:{ACCOUNT}:execution:agent--dev:run-1", "agent-<name>-dev"),
        (f"arn:aws:states:{REGION}:{ACCOUNT}:execution:team-planner-dev:run-1", "agent-<name>-dev"),
    ],
    ids=[
        "missing",
        "not-an-arn",
        "a-state-machine",
        "another-account",
        "another-region",
        "another-partition",
        "another-env",
        "env-suffix",
        "no-agent-name",
        "not-an-agent",
    ],
)
def test_a_caller_outside_this_environment_is_refused_before_any_aws_call(
    sfn: FakeStepFunctions, execution: Any, why: str
) -> None:
    _planner(sfn)
    with pytest.raises(ToolNotAllowed, match=why):
        _invoke(SEARCH.lambda_arn, execution)
    assert sfn.calls == [] and sfn.lam.calls == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("status", ["SUCCEEDED", "FAILED", "ABORTED"])
def test_an_execution_that_is_not_running_calls_nothing(sfn: FakeStepFunctions, status: str) -> None:
    run = _planner(sfn, status=status)
    with pytest.raises(ToolNotAllowed, match=f"is not running \\({status}\\)"):
        _invoke(SEARCH.lambda_arn, run)
    assert sfn.lam.calls == []  # type: ignore[attr-defined]


def test_an_unknown_execution_is_refused(sfn: FakeStepFunctions) -> None:
    _planner(sfn)
    with pytest.raises(ToolNotAllowed, match="no execution"):
        _invoke(SEARCH.lambda_arn, f"arn:aws:states:{REGION}:{ACCOUNT}:execution:agent-planner-dev:forged")


def test_a_described_execution_of_another_machine_is_refused(sfn: FakeStepFunctions) -> None:
    run = _planner(sfn)
    sfn.executions[run]["stateMachineVersionArn"] = f"{MACHINES}:agent-payroll-bot-dev:1"
    with pytest.raises(ToolNotAllowed, match="does not run"):
        _invoke(OTHERS.lambda_arn, run)


def test_without_a_lambda_context_nothing_is_trusted(sfn: FakeStepFunctions) -> None:
    run = _planner(sfn)
    with pytest.raises(ToolNotAllowed, match="cannot tell its own account"):
        handler_module.handler({"sfa_op": "invoke_tool", "function": SEARCH.lambda_arn, "execution_arn": run})
    assert sfn.calls == []


def test_a_gateway_in_another_account_refuses_this_accounts_callers(sfn: FakeStepFunctions) -> None:
    run = _planner(sfn)
    elsewhere = gateway_context(f"arn:aws:lambda:{REGION}:999999999999:function:sfa-llm-gateway-dev")
    with pytest.raises(ToolNotAllowed, match="outside the tool cap"):  # the tool is not its own either
        _invoke(SEARCH.lambda_arn, run, context=elsewhere)


def test_a_hyphenated_env_is_never_trusted(sfn: FakeStepFunctions, monkeypatch: pytest.MonkeyPatch) -> None:
    """Environment names hold no "-": with SFA_ENV=pre-dev the suffix split would be ambiguous."""
    monkeypatch.setenv("SFA_ENV", "pre-dev")
    with pytest.raises(ToolNotAllowed, match="SFA_ENV is not lowercase letters and digits"):
        _invoke(SEARCH.lambda_arn, _planner(sfn))


def test_an_execution_of_the_unqualified_machine_uses_its_current_definition_uncached(
    sfn: FakeStepFunctions,
) -> None:
    sfn.deploy("planner", [SEARCH])
    run = sfn.start(f"{MACHINES}:agent-planner-dev")
    _invoke(SEARCH.lambda_arn, run)
    sfn.deploy("planner", [FETCH], version=2)  # the machine's definition changed (mutable)
    with pytest.raises(ToolNotAllowed, match="not a tool"):
        _invoke(SEARCH.lambda_arn, run)
    assert sfn.count("DescribeStateMachine") == 2


def test_the_definition_cache_is_a_bounded_lru() -> None:
    cache = DefinitionCache(max_entries=2)
    cache.put("v1", frozenset({"a"}))
    cache.put("v2", frozenset({"b"}))
    assert cache.get("v1") == {"a"}  # v1 is now the most recent
    cache.put("v3", frozenset({"c"}))
    assert cache.get("v2") is None and cache.get("v1") == {"a"} and len(cache) == 2


def test_the_gateway_reads_exactly_the_tool_arns_the_template_renders() -> None:
    """Contract with agent_templates: ``$tools`` of the start state, and the invoke_tool payload names
    the calling execution (in both tool Maps)."""
    spec = validate_agent_spec(
        {"name": "planner", "model": "offline:default", "tools": [], "approval": {"mode": "all"}}
    )
    definition = render_agent_definition(spec, [SEARCH, FETCH], GATEWAY, options=RenderOptions(offload=True))
    assert definition_tool_arns(json.dumps(definition)) == {SEARCH.lambda_arn, FETCH.lambda_arn}
    payloads = [
        s["Arguments"]["Payload"]
        for top in definition["States"].values()
        for s in top.get("ItemProcessor", {}).get("States", {}).values()
        if s.get("Arguments", {}).get("FunctionName") == GATEWAY
    ]
    assert len(payloads) == 2
    assert all(p["execution_arn"] == "{% $states.context.Execution.Id %}" for p in payloads)
    assert definition_tool_arns("not json") == frozenset()
    assert (
        definition_tool_arns(json.dumps({"StartAt": "X", "States": {"X": {"Type": "Pass"}}})) == frozenset()
    )


# -- the cap: checked first, without any AWS call ------------------------------------------------------


INSIDE = [SEARCH.lambda_arn, f"{FUNCTIONS}:tool-search-dev:12", f"{FUNCTIONS}:tool-a-b-dev:1", f"{EXTRA}:1"]


@pytest.mark.parametrize("function", [*INSIDE, f"{FUNCTIONS}:team-b-x:2", f"{FUNCTIONS}:team-b-y:40"])
def test_published_versions_inside_the_cap(function: str) -> None:
    assert CAP.refusal(function) is None


@pytest.mark.parametrize(
    "function",
    [
        f"{GATEWAY}:7",  # listed by a forged definition, but the gateway is no tool
        f"{FUNCTIONS}:tool-search-prod:3",  # another environment's tool
        f"{FUNCTIONS}:tool-search-devx:3",  # not the env suffix
        f"{FUNCTIONS}:tool-search-dev-prod:3",  # prod's tool with id search-dev
        f"{FUNCTIONS}:tool--dev:3",  # no tool id
        f"{FUNCTIONS}:tool-dev:3",  # prefix and suffix overlap
        f"{FUNCTIONS}:team-a-search-2:3",  # near an extra ARN
        "arn:aws:lambda:us-east-1:999999999999:function:tool-search-dev:3",  # another account
        f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:tool-search-dev:3",  # another region
        f"arn:aws-cn:lambda:{REGION}:{ACCOUNT}:function:tool-search-dev:3",  # another partition
        "arn:aws:lambda:us-east-1:999999999999:function:team-a-search:3",
    ],
)
def test_a_function_outside_the_cap_is_refused_before_any_aws_call(
    sfn: FakeStepFunctions, function: str
) -> None:
    assert CAP.refusal(function) is not None
    with pytest.raises(ToolNotAllowed, match="outside the tool cap"):
        _invoke(function, _planner(sfn), allowed=[function])
    assert sfn.calls == []


@pytest.mark.parametrize(
    "function",
    [
        f"{FUNCTIONS}:tool-search-dev",  # unqualified: $LATEST, whatever was deployed last
        f"{FUNCTIONS}:tool-search-dev:$LATEST",
        f"{FUNCTIONS}:tool-search-dev:live",  # an alias can be moved to unregistered code
        f"{FUNCTIONS}:tool-search-dev:0",
        f"{FUNCTIONS}:tool-search-dev:03",
        EXTRA,  # inside the cap by name, but not a version
        f"{EXTRA}:live",
        GATEWAY,
    ],
)
def test_a_tool_not_qualified_by_a_published_version_is_refused(
    sfn: FakeStepFunctions, function: str
) -> None:
    expected = r"tools are invoked by published version only \(…:function:NAME:VERSION\)"
    with pytest.raises(ToolNotAllowed, match=expected):
        _invoke(function, _planner(sfn))
    assert not CAP.allows(function) and sfn.calls == []


def test_not_an_arn_is_an_invalid_request(sfn: FakeStepFunctions) -> None:
    with pytest.raises(InvalidRequest, match="not a Lambda function ARN"):
        _invoke("tool-search-dev", _planner(sfn))


def test_the_cap_is_the_gateways_identity_and_environment() -> None:
    from llm_gateway.callers import GatewayIdentity

    identity = GatewayIdentity.of(gateway_context(f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:g"), "prod")
    assert identity is not None
    cap = ToolCap.for_gateway(identity, {"SFA_EXTRA_TOOL_FUNCTION_ARNS": f" {EXTRA}, ,{GATEWAY}:*"})
    assert cap == ToolCap(env="prod", region="eu-west-1", account=ACCOUNT, extra_arns=(EXTRA, f"{GATEWAY}:*"))
    here = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function"
    assert cap.allows(f"{here}:tool-x-prod:1") and not cap.allows(f"{here}:tool-x-prod")
    assert not cap.allows(f"{FUNCTIONS}:tool-x-prod:1")  # us-east-1: another region
    assert ToolCap.for_gateway(identity, {}).extra_arns == ()
