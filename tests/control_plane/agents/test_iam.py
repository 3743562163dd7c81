"""Agent policy sizing against IAM's limits (which moto does not enforce): 500 tools and beyond."""

from __future__ import annotations

import json

import pytest

from control_plane.agents.errors import PolicyTooLargeError
from control_plane.agents.iam import (
    INLINE_LIMIT,
    MANAGED_LIMIT,
    boundary_policy_document,
    plan_policies,
    policy_chars,
)

ACCOUNT, REGION, ENV = "123456789012", "us-east-1", "dev"
GATEWAY = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sfa-llm-gateway-{ENV}"
BUS = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/sfa-registry-{ENV}"


GATEWAY_GRANTS = {GATEWAY, f"{GATEWAY}:*"}  # an unqualified gateway (not a tool): as it always was


def fn(name: str, version: int = 1) -> list[str]:
    """A tool's grant: exactly its published version (agent_templates.iam)."""
    return [f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{version}"]


def grants(functions: list[str], bus: bool = True) -> set[str]:
    out = {r for name in functions for r in fn(name)} | GATEWAY_GRANTS
    return out | ({BUS} if bus else set())


def plan(g: set[str]):
    return plan_policies(g, env=ENV, region=REGION, account=ACCOUNT)


def resources(document: dict) -> set[str]:
    return {r for s in document["Statement"] for r in s["Resource"]}


def test_few_tools_are_granted_exactly_inline():
    p = plan(grants(["tool-a-dev", "tool-b-dev"]))
    assert p.mode == "exact" and p.managed == ()
    assert resources(p.inline) == grants(["tool-a-dev", "tool-b-dev"])
    assert p.inline_chars == policy_chars(p.inline) <= INLINE_LIMIT


def test_500_conventional_tools_collapse_to_the_naming_wildcard():
    names = [f"tool-t{i:03d}-dev" for i in range(500)]
    exact_chars = policy_chars({"Statement": [{"Resource": sorted(grants(names))}]})
    p = plan(grants(names))
    assert exact_chars > 30_000  # ~3x IAM's inline limit
    assert p.mode == "wildcard" and p.managed == ()
    wildcard = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tool-*-{ENV}"
    versions = {f"{wildcard}:{digit}*" for digit in "123456789"}  # every published version only
    assert resources(p.inline) == {*versions, *GATEWAY_GRANTS, BUS}
    assert set(p.wildcards) == versions
    assert p.inline_chars < 1_500


def test_only_published_versions_collapse_into_the_version_wildcards():
    names = [f"tool-t{i:03d}-dev" for i in range(500)]
    unqualified = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tool-odd-{ENV}"
    p = plan(grants(names) | {unqualified, f"{unqualified}:live", f"{unqualified}:07"})
    assert p.mode == "wildcard"
    # not covered by :1* … :9*, so not silently widened either: granted exactly as given
    assert {unqualified, f"{unqualified}:live", f"{unqualified}:07"} <= resources(p.inline)


def test_500_tools_outside_the_convention_spill_into_managed_policies():
    names = [f"team-a-fn-{i:03d}" for i in range(500)]  # ARNs of 60 characters
    p = plan(grants(names))
    assert p.mode == "managed"
    assert p.inline_chars <= INLINE_LIMIT
    assert all(c <= MANAGED_LIMIT for c in p.managed_chars)
    assert 1 <= len(p.managed) <= 10
    granted = resources(p.inline) | set().union(*(resources(d) for d in p.managed))
    assert granted == grants(names)  # exact: nothing more, nothing less


def test_mixed_tools_use_the_wildcard_for_conventional_names_only():
    conventional = [f"tool-t{i:03d}-dev" for i in range(300)]
    others = [f"legacy-{i}" for i in range(20)] + ["tool-x-prod"]  # another env is not covered
    p = plan(grants(conventional + others))
    assert p.mode == "wildcard"
    inline = resources(p.inline)
    assert not any("tool-t0" in r for r in inline)
    assert set(fn("tool-x-prod")) <= inline and set(fn("legacy-7")) <= inline


def test_too_many_unconventional_tools_fail_clearly():
    names = [f"team-a-function-number-{i:04d}" for i in range(1500)]
    with pytest.raises(PolicyTooLargeError, match=r"tool-\*-dev naming convention"):
        plan(grants(names))


def test_boundary_caps_invoke_publish_child_runs_and_log_delivery():
    doc = boundary_policy_document(REGION, ACCOUNT, f"sfa-registry-{ENV}")
    actions = {
        a for s in doc["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {a.split(":")[0] for a in actions} == {"lambda", "events", "logs", "states"}
    assert "lambda:InvokeFunction" in actions and "events:PutEvents" in actions
    invoke = next(s for s in doc["Statement"] if s["Sid"] == "InvokeFunctions")
    functions = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
    gateway = f"{functions}sfa-llm-gateway-*"
    # any function by published version (local mode's account-wide tool cap), the gateway as it is
    assert invoke["Resource"] == [*(f"{functions}*:{d}*" for d in "123456789"), gateway, f"{gateway}:*"]
    scoped = boundary_policy_document(REGION, ACCOUNT, f"sfa-registry-{ENV}", env=ENV)["Statement"][0]
    assert scoped["Resource"][-2:] == [GATEWAY, f"{GATEWAY}:*"]
    states = next(s for s in doc["Statement"] if s["Sid"] == "ContinueInChildExecution")
    assert all(":agent-*" in r for r in states["Resource"])  # only agents' own state machines
    assert json.loads(json.dumps(doc)) == doc


def test_trust_policy_names_the_agents_own_state_machine_and_account():
    from control_plane.agents.iam import trust_policy_document

    [statement] = trust_policy_document("trip", "prod", region="cn-north-1", account="1", partition="aws-cn")[
        "Statement"
    ]
    machine = "arn:aws-cn:states:cn-north-1:1:stateMachine:agent-trip-prod"
    assert statement["Principal"] == {"Service": "states.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "1"},
        "ArnLike": {"aws:SourceArn": [machine, f"{machine}:*"]},  # the machine, its versions, aliases
    }
