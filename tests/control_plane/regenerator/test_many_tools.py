"""An agent selecting 500 tools: its role's policies, read back from IAM, stay within IAM's limits."""

from __future__ import annotations

import json
from typing import Any

from agent_templates import validate_agent_spec
from control_plane.agents.iam import INLINE_LIMIT, INLINE_POLICY_NAME, MANAGED_LIMIT, policy_chars
from tests.control_plane.regenerator.helpers import bulk_tool_items, put_items


def _document(raw: Any) -> dict[str, Any]:
    return json.loads(raw) if isinstance(raw, str) else raw


def role_policies(cp: Any, role: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    iam = cp.client("iam")
    inline = _document(iam.get_role_policy(RoleName=role, PolicyName=INLINE_POLICY_NAME)["PolicyDocument"])
    managed = []
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
        doc = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]
        managed.append(_document(doc["Document"]))
    return inline, managed


def resources(*documents: dict[str, Any]) -> set[str]:
    return {r for d in documents for s in d["Statement"] for r in s["Resource"]}


def test_500_tools_conventional_then_not(cp, agents, regen, config, counter):
    names = [f"bulk_{i:03d}" for i in range(500)]
    put_items(cp, config.tool_table, bulk_tool_items(names, "bulk", lambda n: f"tool-{n}-test"))
    agents.apply(validate_agent_spec({"name": "big", "model": "offline:default", "tools": ["tag:bulk"]}))

    outcome = regen.regenerate("big")

    assert outcome.action == "deployed", outcome
    record = agents.get("big")
    assert len(record.resolved_tools) == 500 and record.policy_mode == "wildcard"
    inline, managed = role_policies(cp, "agent-big-test")
    assert managed == [] and policy_chars(inline) == record.policy_chars < 2_000  # incl. history grants
    wildcard = "arn:aws:lambda:us-east-1:123456789012:function:tool-*-test"
    versions = {f"{wildcard}:{digit}*" for digit in "123456789"}  # published versions only
    assert versions <= resources(inline)
    assert not {wildcard, f"{wildcard}:*"} & resources(inline)  # never $LATEST or an alias
    exact = set(record.granted)
    # every tool's version, the gateway unqualified and qualified, the history budget's 4 grants
    assert len(exact) == 500 + 2 + 4

    # the same tools move to functions outside the naming convention
    put_items(cp, config.tool_table, bulk_tool_items(names, "bulk", lambda n: f"team-{n.replace('_', '-')}"))
    outcome = regen.regenerate("big")

    assert outcome.action == "deployed", outcome
    record = agents.get("big")
    assert record.policy_mode == "managed"
    inline, managed = role_policies(cp, "agent-big-test")
    assert policy_chars(inline) <= INLINE_LIMIT
    assert 1 <= len(managed) <= 10 and all(policy_chars(d) <= MANAGED_LIMIT for d in managed)
    assert resources(inline, *managed) == set(record.granted)  # exactly the new ARNs, old ones revoked
    assert record.policy_chars == policy_chars(inline) + sum(policy_chars(d) for d in managed)
    assert not any("tool-*" in r for r in resources(inline, *managed))
    listed = cp.client("iam").list_policies(Scope="Local", PathPrefix="/sfa-agents/")["Policies"]
    assert len(listed) == len(managed)  # content-addressed policies of the union were deleted

    agents.apply(validate_agent_spec({"name": "big", "model": "offline:default", "tools": []}))
    assert regen.regenerate("big").action == "deployed"
    assert role_policies(cp, "agent-big-test")[1] == []
    assert cp.client("iam").list_policies(Scope="Local", PathPrefix="/sfa-agents/")["Policies"] == []
