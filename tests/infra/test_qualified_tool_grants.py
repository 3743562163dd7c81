"""Tools are granted and invoked by published version only, through every public surface.

A tool version in the registry records its published Lambda version (``…:function:tool-x-dev:7``).
An unqualified ARN runs ``$LATEST`` and ``:*`` also covers ``$LATEST`` and every alias: code that
was never registered. So no tool grant is unqualified or ``:*`` — in the agent role's statements
(``definition_policy_statements``), in every policy layout (``plan_policies``), in the synthesized
permissions boundary and gateway role — and the gateway's tool invoker refuses such an ARN even
when a (forged) definition lists it. The gateway is platform code, not a tool: its alias (or, in
local mode, its unqualified ARN) is granted as it is.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from pydantic import ValidationError

from agent_templates import RenderError, RenderOptions, ResolvedTool, definition_policy_statements
from control_plane.agents.iam import boundary_policy_document, grants_for, plan_policies
from llm_gateway.errors import InvalidRequest, ToolNotAllowed
from llm_gateway.platform_ops import ToolCap, invoke_tool
from tests.agent_templates.helpers import make_spec, make_tool
from tests.infra.conftest import Synth
from tests.infra.helpers import by_name, render, role_statements

REGION, ACCOUNT, ENV = "us-east-1", "123456789012", "dev"
FUNCTIONS = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
GATEWAYS = (f"{FUNCTIONS}:sfa-llm-gateway-{ENV}:live", f"{FUNCTIONS}:sfa-llm-gateway-{ENV}")
# A function ARN (or IAM pattern) and its qualifier; IAM's "*" may stand for the name.
_FUNCTION = re.compile(r".*:function:(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?")
# A published version (7) or a pattern of only published versions (1* … 9*).
_VERSION = re.compile(r"[1-9][0-9]*|[1-9]\*")
HOSTILE = ("", ":$LATEST", ":live", ":*", ":0", ":07")


def is_platform_function(arn: str) -> bool:
    """The gateway and the platform's own functions (``sfa-*``, or a resource reference ``<…>``)."""
    match = _FUNCTION.fullmatch(arn)
    return arn.startswith("<") or (match is not None and match["name"].startswith("sfa-"))


def assert_tools_by_version(resources: list[str]) -> None:
    """Every non-platform function resource names published versions only."""
    for arn in resources:
        if is_platform_function(arn):
            continue
        match = _FUNCTION.fullmatch(arn)
        assert match is not None, arn
        qualifier = match["qualifier"]
        assert qualifier is not None, f"unqualified tool grant (runs $LATEST): {arn}"
        assert _VERSION.fullmatch(qualifier), f"tool grant not limited to published versions: {arn}"


def invoke_resources(statements: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if "lambda:InvokeFunction" in actions:
            resource = statement["Resource"]
            out += [resource] if isinstance(resource, str) else resource
    return out


def tools(count: int, function: str = "tool-t{i:04d}-dev", prefix: str = "t") -> list[ResolvedTool]:
    """``count`` tools, each pinned to some published version (1 … 12) of its function."""
    return [
        make_tool(f"{prefix}{i:04d}", lambda_arn=f"{FUNCTIONS}:{function.format(i=i)}:{i % 12 + 1}")
        for i in range(count)
    ]


# (a) the agent role's statements ------------------------------------------------------------------


@pytest.mark.parametrize("gateway", GATEWAYS, ids=["alias", "unqualified"])
@pytest.mark.parametrize("offload", [True, False])
def test_definition_statements_grant_each_tool_exactly_its_version(gateway: str, offload: bool) -> None:
    selected = [make_tool("a", human_approval_required=True), *tools(3)]
    options = RenderOptions(env=ENV, offload=offload)
    statements = definition_policy_statements(make_spec(), selected, gateway, options=options)
    resources = invoke_resources(statements)
    assert_tools_by_version(resources)
    assert {t.lambda_arn for t in selected} <= set(resources)  # exactly: the ARN itself, nothing wider
    assert not any(r.startswith(t.lambda_arn) and r != t.lambda_arn for t in selected for r in resources)
    gateway_grants = {r for r in resources if is_platform_function(r)}
    # the gateway, not a tool: an alias exactly; an unqualified one as it always was
    assert gateway_grants == ({gateway} if gateway.endswith(":live") else {gateway, f"{gateway}:*"})


@pytest.mark.parametrize("qualifier", HOSTILE)
def test_a_tool_not_pinned_to_a_version_cannot_be_resolved_or_granted(qualifier: str) -> None:
    arn = f"{FUNCTIONS}:tool-x-{ENV}{qualifier}"
    with pytest.raises(ValidationError, match="tools are invoked by published version"):
        make_tool("x", lambda_arn=arn)
    # even a ResolvedTool built without validation is not granted
    forged = make_tool("x").model_copy(update={"lambda_arn": arn})
    with pytest.raises(RenderError, match="published version only"):
        definition_policy_statements(make_spec(), [forged], GATEWAYS[0])


# (b) every policy layout -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selected", "mode"),
    [
        (tools(5), "exact"),
        (tools(500), "wildcard"),
        (tools(500, "team-a-fn-{i:03d}"), "managed"),  # outside the naming convention
        (tools(250) + tools(250, "legacy-{i:03d}", prefix="legacy"), "managed"),
    ],
    ids=["exact-5", "wildcard-500", "managed-500", "mixed-500"],
)
@pytest.mark.parametrize("gateway", GATEWAYS, ids=["alias", "unqualified"])
def test_every_policy_layout_grants_tools_by_version(
    selected: list[ResolvedTool], mode: str, gateway: str
) -> None:
    grants = grants_for(make_spec(), selected, gateway, RenderOptions(env=ENV))
    plan = plan_policies(grants, env=ENV, region=REGION, account=ACCOUNT)
    assert plan.mode == mode
    documents = [plan.inline, *plan.managed]
    resources = [r for d in documents for r in invoke_resources(d["Statement"])]
    assert_tools_by_version(resources)
    assert not any(r.endswith((":*", "$LATEST")) for r in resources if not is_platform_function(r))
    conventional = mode != "exact" and any(":tool-" in t.lambda_arn for t in selected)
    versions = {f"{FUNCTIONS}:tool-*-{ENV}:{d}*" for d in "123456789"}
    assert set(plan.wildcards) == (versions if conventional else set())


def test_the_local_boundary_caps_tools_at_published_versions() -> None:
    document = boundary_policy_document(REGION, ACCOUNT, f"sfa-registry-{ENV}", env=ENV)
    resources = invoke_resources(document["Statement"])
    assert_tools_by_version(resources)
    assert f"{FUNCTIONS}:*" not in resources  # the account's functions at $LATEST are not in the cap


# (c) the synthesized CDK templates ----------------------------------------------------------------


@pytest.mark.parametrize("env", ["dev", "ci"])
def test_synthesized_boundary_and_gateway_grant_tools_by_version(platform: Synth, env: str) -> None:
    shared, llm = platform.templates[f"sfa-shared-{env}"], platform.templates[f"sfa-llm-{env}"]
    _, boundary = by_name(shared, "AWS::IAM::ManagedPolicy", f"sfa-agent-boundary-{env}")
    boundary_resources = [
        render(shared, r) for r in invoke_resources(boundary["Properties"]["PolicyDocument"]["Statement"])
    ]
    _, gateway = by_name(llm, "AWS::Lambda::Function", f"sfa-llm-gateway-{env}")
    role_id = gateway["Properties"]["Role"]["Fn::GetAtt"][0]
    gateway_resources = [render(llm, r) for r in invoke_resources(role_statements(llm, role_id))]
    for resources in (boundary_resources, gateway_resources):
        assert_tools_by_version(resources)
        tool_versions = {r for r in resources if f":function:tool-*-{env}:" in r}
        assert {r.rsplit(":", 1)[1] for r in tool_versions} == {f"{d}*" for d in "123456789"}
    assert not [r for r in gateway_resources if is_platform_function(r)]  # the gateway calls no gateway


def test_no_synthesized_invoke_grant_reaches_an_unpinned_tool(platform: Synth) -> None:
    """Across every policy of every platform template (roles, managed policies, the boundary)."""
    for template in platform.templates.values():
        for resource in template["Resources"].values():
            props = resource.get("Properties", {})
            documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
            if "PolicyDocument" in props:
                documents.append(props["PolicyDocument"])
            for document in documents:
                if isinstance(document, dict) and "Statement" in document:
                    assert_tools_by_version(
                        [render(template, r) for r in invoke_resources(document["Statement"])]
                    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (f"{FUNCTIONS}:team-a-search", [f"{FUNCTIONS}:team-a-search:{d}*" for d in "123456789"]),
        (f"{FUNCTIONS}:team-a-*:*", [f"{FUNCTIONS}:team-a-*:{d}*" for d in "123456789"]),
        (f"{FUNCTIONS}:team-a-search:7", [f"{FUNCTIONS}:team-a-search:7"]),
        (f"{FUNCTIONS}:team-a-search:1*", [f"{FUNCTIONS}:team-a-search:1*"]),
    ],
    ids=["unqualified", "any-qualifier", "version", "version-pattern"],
)
def test_extra_tool_functions_are_granted_by_version(extra: str, expected: list[str]) -> None:
    from infra.policies import published_versions

    assert published_versions(extra) == expected
    assert_tools_by_version(expected)


@pytest.mark.parametrize("qualifier", [":$LATEST", ":live", ":0"])
def test_an_extra_tool_function_pinned_to_an_alias_fails_the_synth(qualifier: str) -> None:
    from infra.policies import published_versions

    with pytest.raises(ValueError, match="tools are invoked by published version"):
        published_versions(f"{FUNCTIONS}:team-a-search{qualifier}")


# (d) the gateway's tool invoker -------------------------------------------------------------------


class _Lambda:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        self.calls.append(FunctionName)
        return {"Payload": io.BytesIO(json.dumps("ran").encode())}


class _Agent:
    """Step Functions as the gateway sees it: one running execution of a version whose definition
    (forged, as the test says) lists ``tools``."""

    def __init__(self, tools: list[str]) -> None:
        self.machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:agent-x-{ENV}"
        self.execution = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:agent-x-{ENV}:run"
        routes = {f"t{i}": {"arn": arn} for i, arn in enumerate(tools)}
        self.definition = json.dumps({"StartAt": "Start", "States": {"Start": {"Assign": {"tools": routes}}}})

    def describe_execution(self, executionArn: str) -> dict[str, Any]:
        return {
            "stateMachineArn": self.machine,
            "stateMachineVersionArn": f"{self.machine}:1",
            "status": "RUNNING",
        }

    def describe_state_machine(self, stateMachineArn: str) -> dict[str, Any]:
        return {"definition": self.definition}


@pytest.mark.parametrize("qualifier", HOSTILE)
@pytest.mark.parametrize("extra", [(), (f"{FUNCTIONS}:*",)], ids=["cap", "account-wide-extra"])
def test_the_tool_invoker_refuses_a_listed_tool_not_pinned_to_a_version(
    qualifier: str, extra: tuple[str, ...]
) -> None:
    """A forged definition lists the tool by an unpinned ARN: refused, nothing is invoked."""
    from llm_gateway.callers import AgentExecutions, GatewayIdentity

    function = f"{FUNCTIONS}:tool-x-{ENV}{qualifier}"
    pinned = f"{FUNCTIONS}:tool-x-{ENV}:7"
    agent = _Agent([function, pinned])
    executions = AgentExecutions(agent, GatewayIdentity("aws", REGION, ACCOUNT, ENV))
    client, cap = _Lambda(), ToolCap(env=ENV, region=REGION, account=ACCOUNT, extra_arns=extra)
    event = {"sfa_op": "invoke_tool", "function": function, "execution_arn": agent.execution, "input": {}}
    if qualifier == ":*":  # not even a function ARN
        with pytest.raises(InvalidRequest, match="not a Lambda function ARN"):
            invoke_tool(event, None, client, cap, executions)
    else:
        with pytest.raises(ToolNotAllowed, match="tools are invoked by published version only"):
            invoke_tool(event, None, client, cap, executions)
    assert client.calls == [] and not cap.allows(function)
    assert invoke_tool({**event, "function": pinned}, None, client, cap, executions) == "ran"
    assert client.calls == [pinned]
