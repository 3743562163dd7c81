"""A failure at any rollout step leaves the alias on the last good version; the retry converges."""

from __future__ import annotations

from typing import Any

import pytest

from control_plane.regenerator import handler as regen_handler
from tests.control_plane.helpers import manifest
from tests.control_plane.regenerator.test_acceptance import (
    CONVERT,
    STATS,
    alias_version,
    inline_policy,
    setup_two_agents,
    spec,
)

GATEWAY = "arn:aws:lambda:us-east-1:123456789012:function:sfa-llm-gateway-test"


def grants(*functions: str) -> list[str]:
    """Each tool exactly at the version the registrar published (1), the gateway as it is."""
    return sorted([*(f"{function}:1" for function in functions), GATEWAY, f"{GATEWAY}:*"])


def policy_resources(cp: Any, agent: str) -> list[str]:
    """The Lambda grants (the history budget's own-state-machine grants never change)."""
    return sorted(
        r
        for s in inline_policy(cp, agent)["Statement"]
        if s["Sid"] == "InvokeFunctions"
        for r in s["Resource"]
    )


@pytest.mark.parametrize(
    ("service", "operation", "after", "step", "alias_moves"),
    [
        ("iam", "put_role_policy", 0, "grant", False),
        ("stepfunctions", "update_state_machine", 0, "publish", False),
        ("stepfunctions", "update_state_machine_alias", 0, "alias", False),
        ("iam", "put_role_policy", 1, "revoke", True),
    ],
)
def test_failure_at_each_step_then_retry_converges(
    cp,
    tools,
    registrar,
    agents,
    regen,
    agent_tap,
    tool_tap,
    counter,
    publisher,
    service,
    operation,
    after,
    step,
    alias_moves,
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    v1 = agents.get("planner").live_version_arn
    # switch the planner from convert_units to text_stats: grant text_stats, later revoke convert_units
    agents.apply(spec("planner", ["text_stats@^1"]))
    event = agent_tap.event()
    [record] = [r for r in event["Records"] if r["dynamodb"]["Keys"]["agent_name"]["S"] == "planner"]
    counter.reset()
    counter.fail_next(service, operation, after=after)

    response = regen_handler.handle(event, regen)

    assert response == {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
    failed = agents.get("planner")
    assert failed.status == "failed" and failed.last_error.step == step and failed.last_error.retryable
    if alias_moves:  # the new version serves; only the revocation is left
        assert alias_version(cp, "planner") == failed.live_version_arn != v1
        assert policy_resources(cp, "planner") == grants(tools.arn(CONVERT), tools.arn(STATS))
    else:
        assert alias_version(cp, "planner") == v1 == failed.live_version_arn
    if step == "alias":
        assert failed.pending_version is not None
    if step != "grant":  # the union is granted before the new definition is published
        assert set(grants(tools.arn(CONVERT), tools.arn(STATS))) <= set(policy_resources(cp, "planner"))
    [event_failed] = publisher.of("AgentRegenerationFailed")
    assert event_failed.retryable is True

    counter.reset()
    assert regen_handler.handle(event, regen) == {"batchItemFailures": []}  # the stream's retry

    done = agents.get("planner")
    assert done.status == "ready" and done.last_error is None and done.pending_version is None
    assert done.live_version_arn.endswith(":2"), "exactly one new version, even after a failure"
    assert alias_version(cp, "planner") == done.live_version_arn
    assert [t.ref for t in done.resolved_tools] == ["text_stats@1.0.0"]
    assert policy_resources(cp, "planner") == grants(tools.arn(STATS))
    assert [g for g in done.granted if ":lambda:" in g] == grants(tools.arn(STATS))
    publishes = len(counter.of("stepfunctions", "update_state_machine"))
    assert publishes == (0 if step in ("alias", "revoke") else 1)
    assert regen_handler.handle(event, regen) == {"batchItemFailures": []}
    assert agents.get("planner").live_version_arn == done.live_version_arn


def test_lease_held_by_another_regeneration_is_retried_later(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, rconfig
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    agents.apply(spec("planner", ["text_stats@^1"]))
    event = agent_tap.event()
    record = agents.get("planner")
    import time

    agents.acquire(
        "planner",
        token="someone-else",
        now=int(time.time()),
        ttl_seconds=60,
        generation=record.generation,
        definition_sha256=record.definition_sha256,
    )

    response = regen_handler.handle(event, regen)

    assert len(response["batchItemFailures"]) == 1
    assert agents.get("planner").live_version_arn.endswith(":1")
    agents.commit("planner", token="someone-else", values={})  # the other one finishes
    assert regen_handler.handle(event, regen) == {"batchItemFailures": []}
    assert agents.get("planner").live_version_arn.endswith(":2")


def test_tool_change_failure_reports_only_its_records(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, counter
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    tools.retag(STATS, manifest("text_stats", "1.1.0", tags=["text"]))
    registrar.sync(STATS)
    event = tool_tap.event()
    counter.fail_next("stepfunctions", "update_state_machine")

    response = regen_handler.handle(event, regen)

    stats_records = {
        r["dynamodb"]["SequenceNumber"]
        for r in event["Records"]
        if r["dynamodb"]["Keys"]["tool_name"]["S"] == "text_stats"
    }
    failed_ids = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    assert failed_ids and failed_ids <= stats_records
    assert agents.get("writer").status == "failed"
    assert regen_handler.handle(event, regen) == {"batchItemFailures": []}
    writer = agents.get("writer")
    assert writer.status == "ready" and [t.ref for t in writer.resolved_tools] == ["text_stats@1.1.0"]
