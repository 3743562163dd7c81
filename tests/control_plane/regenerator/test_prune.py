"""Pruning old state-machine versions after rollouts (control_plane/regenerator/prune.py), on the
emulator: many regenerations leave a bounded number of versions, ``live`` and the version before it
survive, an alias's version is skipped, and a pruning failure never fails the rollout."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from agent_templates import validate_agent_spec
from control_plane.agents import AgentRegistry
from control_plane.agents.runs import AgentRunner
from control_plane.errors import ConfigError
from control_plane.regenerator import Regenerator, RegeneratorConfig
from control_plane.regenerator import handler as regen_handler
from control_plane.regenerator.config import DEFAULT_VERSIONS_KEPT
from control_plane.regenerator.counting import CallCounter
from control_plane.regenerator.outcome import AgentOutcome
from control_plane.regenerator.prune import needs_pruning, version_number
from control_plane.registry import ToolRegistry
from tests.control_plane.regenerator.helpers import deploy_offline_gateway

AGENT = "pruned"


def regenerator(
    cp: Any, rconfig: RegeneratorConfig, counter: CallCounter, publisher: Any, kept: int
) -> Regenerator:
    """The ``regen`` fixture's regenerator, keeping ``kept`` versions."""
    config = dataclasses.replace(rconfig, versions_kept=kept)
    ddb = counter.wrap("dynamodb", cp.client("dynamodb"))
    return Regenerator(
        config,
        agents=AgentRegistry(config.base.agent_table, ddb),
        tools=ToolRegistry(config.base.tool_table, ddb),
        sfn=counter.wrap("stepfunctions", cp.client("stepfunctions")),
        iam=counter.wrap("iam", cp.client("iam")),
        publisher=publisher,
        sleep=lambda _s: None,
    )


def roll_out(agents: AgentRegistry, regen: Regenerator, n: int) -> AgentOutcome:
    """Apply a spec whose definition differs (the system prompt) and regenerate: one new version."""
    agents.apply(
        validate_agent_spec(
            {"name": AGENT, "model": "offline:default", "system": f"Answer #{n}.", "tools": []}
        )
    )
    outcome = regen.regenerate(AGENT)
    assert outcome.action == "deployed", outcome
    return outcome


def version_numbers(cp: Any, state_machine_arn: str) -> list[int]:
    sfn, numbers, params = cp.client("stepfunctions"), [], {"stateMachineArn": state_machine_arn}
    while True:
        page = sfn.list_state_machine_versions(**params)
        numbers += [version_number(v["stateMachineVersionArn"]) for v in page["stateMachineVersions"]]
        if "nextToken" not in page:
            return numbers
        params["nextToken"] = page["nextToken"]


def run_live(cp: Any, agents: AgentRegistry) -> dict[str, Any]:
    """A run on the ``live`` alias through the offline gateway; DescribeExecution of it."""
    sfn = cp.client("stepfunctions")
    runs = AgentRunner(agents, sfn)
    execution = runs.start(AGENT, {"prompt": "hello"})
    result = runs.follow(execution, timeout_seconds=30, poll_seconds=0.02)
    assert result.status == "completed", result.as_json()
    return sfn.describe_execution(executionArn=execution)


@pytest.mark.parametrize("kept", [3, DEFAULT_VERSIONS_KEPT])
def test_25_rollouts_leave_at_most_kept_plus_one_versions_and_live_runs(
    cp, rconfig, counter, publisher, boundary, agents, kept
):
    deploy_offline_gateway(cp, rconfig.env)
    regen = regenerator(cp, rconfig, counter, publisher, kept)
    pruned: list[str] = []
    for n in range(1, 26):
        outcome = roll_out(agents, regen, n)
        assert outcome.prune_error is None
        pruned += outcome.pruned
        record = agents.get(AGENT)
        assert len(version_numbers(cp, record.state_machine_arn)) <= kept + 1

    record = agents.get(AGENT)
    assert version_number(record.live_version_arn) == 25
    assert version_numbers(cp, record.state_machine_arn) == list(range(25, 25 - kept, -1))
    assert sorted(version_number(a) for a in pruned) == list(range(1, 26 - kept))  # each once
    # only rollouts that could have too many versions list them (numbers only grow)
    assert len(counter.of("stepfunctions", "list_state_machine_versions")) == 25 - kept
    described = run_live(cp, agents)
    assert described["stateMachineVersionArn"] == record.live_version_arn


def test_live_and_previous_survive_even_keeping_one_so_a_rollback_works(
    cp, rconfig, counter, publisher, boundary, agents
):
    deploy_offline_gateway(cp, rconfig.env)
    regen = regenerator(cp, rconfig, counter, publisher, 1)
    for n in range(1, 6):
        roll_out(agents, regen, n)
    record = agents.get(AGENT)
    assert version_numbers(cp, record.state_machine_arn) == [5, 4]
    assert version_number(record.previous_version_arn) == 4

    cp.client("stepfunctions").update_state_machine_alias(  # the rollback an operator would do
        stateMachineAliasArn=record.alias_arn,
        routingConfiguration=[{"stateMachineVersionArn": record.previous_version_arn, "weight": 100}],
    )
    assert run_live(cp, agents)["stateMachineVersionArn"] == record.previous_version_arn


def test_a_version_another_alias_routes_to_is_skipped_then_pruned_once_free(
    cp, rconfig, counter, publisher, boundary, agents
):
    regen = regenerator(cp, rconfig, counter, publisher, 2)
    for n in range(1, 3):
        roll_out(agents, regen, n)
    sfn = cp.client("stepfunctions")
    first = agents.get(AGENT).live_version_arn.replace(":2", ":1")
    canary = sfn.create_state_machine_alias(
        name="canary", routingConfiguration=[{"stateMachineVersionArn": first, "weight": 100}]
    )["stateMachineAliasArn"]

    for n in range(3, 6):
        outcome = roll_out(agents, regen, n)
        assert outcome.prune_error is None and first not in outcome.pruned
    machine = agents.get(AGENT).state_machine_arn
    assert version_numbers(cp, machine) == [5, 4, 1]  # 2 and 3 pruned; 1 kept for the canary alias

    sfn.delete_state_machine_alias(stateMachineAliasArn=canary)
    freed = roll_out(agents, regen, 6).pruned
    assert sorted(version_number(a) for a in freed) == [1, 4]  # 4 fell out of the newest two
    assert version_numbers(cp, machine) == [6, 5]


@pytest.mark.parametrize("operation", ["list_state_machine_versions", "delete_state_machine_version"])
def test_a_pruning_failure_keeps_the_rollout_and_the_next_one_prunes(
    cp, rconfig, counter, publisher, boundary, agents, operation
):
    regen = regenerator(cp, rconfig, counter, publisher, 2)
    for n in range(1, 3):
        roll_out(agents, regen, n)
    counter.fail_next("stepfunctions", operation, code="ThrottlingException", status=400)

    failed_prune = roll_out(agents, regen, 3)
    record = agents.get(AGENT)
    assert failed_prune.prune_error and "ThrottlingException" in failed_prune.prune_error
    assert failed_prune.pruned == ()
    assert record.status == "ready" and record.last_error is None
    assert version_number(record.live_version_arn) == 3
    assert version_numbers(cp, record.state_machine_arn) == [3, 2, 1]  # nothing pruned yet
    assert failed_prune.as_dict()["prune_error"] == failed_prune.prune_error  # what the handler logs

    retried = roll_out(agents, regen, 4)
    assert retried.prune_error is None and sorted(version_number(a) for a in retried.pruned) == [1, 2]
    assert version_numbers(cp, record.state_machine_arn) == [4, 3]


def test_the_handler_counts_pruned_versions_and_failures(
    cp, rconfig, counter, publisher, boundary, agents, agent_tap, monkeypatch
):
    regen = regenerator(cp, rconfig, counter, publisher, 1)
    metrics: list[tuple[str, float]] = []
    monkeypatch.setattr(
        regen_handler.metrics, "add_metric", lambda name, unit, value: metrics.append((name, value))
    )
    for n in range(1, 4):
        agents.apply(
            validate_agent_spec({"name": AGENT, "model": "offline:default", "system": f"#{n}", "tools": []})
        )
        if n == 3:
            counter.fail_next("stepfunctions", "delete_state_machine_version", code="ServiceUnavailable")
        assert regen_handler.handle(agent_tap.event(), regen) == {"batchItemFailures": []}
    pruned = [v for name, v in metrics if name == "VersionsPruned"]
    failed = [v for name, v in metrics if name == "VersionPruneFailed"]
    assert pruned == [0, 0, 0] and failed == [0, 0, 1]  # the 3rd rollout would prune version 1: failed
    assert regen.regenerate(AGENT).action == "skipped"  # nothing to deploy: pruning waits for one


def test_needs_pruning_from_the_version_number_alone():
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:agent-x-test"
    assert not needs_pruning(f"{machine}:20", 20)
    assert needs_pruning(f"{machine}:21", 20)
    assert needs_pruning(None, 20) and needs_pruning(machine, 20)  # unknown: list to find out


@pytest.mark.parametrize("kept", ["0", "1000", "many"])
def test_versions_kept_is_validated(kept):
    environ = {"AWS_REGION": "us-east-1", "SFA_ENV": "test", "SFA_AGENT_VERSIONS_KEPT": kept}
    with pytest.raises(ConfigError, match=r"SFA_AGENT_VERSIONS_KEPT|invalid regenerator setting"):
        RegeneratorConfig.from_env(environ, account_id="123456789012")


def test_versions_kept_from_the_environment():
    environ = {"AWS_REGION": "us-east-1", "SFA_ENV": "test"}
    assert RegeneratorConfig.from_env(environ, account_id="123456789012").versions_kept == 20
    environ["SFA_AGENT_VERSIONS_KEPT"] = "5"
    assert RegeneratorConfig.from_env(environ, account_id="123456789012").versions_kept == 5
