"""Ownership: deleting a spec deletes its state machine, alias and role; spec-only changes; decide()."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from agent_templates import validate_agent_spec
from control_plane.regenerator import handler as regen_handler
from control_plane.regenerator.plan import decide, render
from tests.control_plane.regenerator.test_acceptance import setup_two_agents, spec


def gone(call: Any, **params: Any) -> bool:
    try:
        call(**params)
    except ClientError:
        return True
    return False


def test_delete_tears_everything_down_and_a_retry_converges(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, counter
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    planner = agents.get("planner")
    agents.delete("planner")
    event = agent_tap.event()
    counter.fail_next("iam", "delete_role")

    response = regen_handler.handle(event, regen)

    assert len(response["batchItemFailures"]) == 1
    half = agents.get("planner")
    assert half.status == "deleting" and half.last_error.step == "role" and half.state_machine_arn is None
    assert regen_handler.handle(event, regen) == {"batchItemFailures": []}

    sfn, iam = cp.client("stepfunctions"), cp.client("iam")
    assert agents.get("planner") is None and agents.names() == ["writer"]
    assert gone(sfn.describe_state_machine, stateMachineArn=planner.state_machine_arn)
    assert gone(sfn.describe_state_machine_alias, stateMachineAliasArn=planner.alias_arn)
    assert gone(iam.get_role, RoleName="agent-planner-test")
    assert agents.get("writer").status == "ready"
    assert regen_handler.handle(agent_tap.event(), regen) == {"batchItemFailures": []}  # own writes ignored

    agents.apply(spec("planner", ["convert_units@^1"]))
    assert regen_handler.handle(agent_tap.event(), regen) == {"batchItemFailures": []}
    revived = agents.get("planner")
    assert revived.status == "ready" and revived.live_version_arn.endswith(":1")


def test_spec_change_without_definition_change_only_records(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, counter
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    counter.reset()
    agents.apply(
        validate_agent_spec(
            {
                "name": "planner",
                "model": "offline:default",
                "system": "Help.",
                "tools": ["convert_units@^1"],
                "description": "Now documented.",  # not part of the definition
            }
        )
    )

    assert regen_handler.handle(agent_tap.event(), regen) == {"batchItemFailures": []}

    record = agents.get("planner")
    assert record.status == "ready" and record.rendered_generation == 2
    assert record.live_version_arn.endswith(":1")
    assert counter.total("stepfunctions") == counter.total("iam") == 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, "skip"),
        ({"status": "failed"}, "record"),
        ({"rendered_generation": 0}, "record"),
        ({"definition_sha256": "other"}, "deploy"),
        ({"granted": []}, "deploy"),
        ({"live_version_arn": None}, "deploy"),
    ],
)
def test_decide(tools, registrar, agents, regen, agent_tap, tool_tap, rconfig, change, expected):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    record = agents.get("planner")
    from control_plane.regenerator.resolve import CandidateSource

    spec_ = record.agent_spec()
    rendered = render(spec_, CandidateSource(regen.tools).candidates(spec_), rconfig)
    assert decide(record.model_copy(update=change), rendered) == expected


def test_deprecated_versions_are_used_with_a_warning(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap
):
    from control_plane.registrar.lifecycle import change_status

    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    # an operator deprecates the only 1.x: the agent pinned to ^1 keeps it, with a warning
    change_status(
        registrar.registry, registrar.publisher, "convert_units", "1.0.0", "deprecated",
        actor="arn:aws:iam::123456789012:user/ops", reason="use 2.x",
    )  # fmt: skip

    assert regen_handler.handle(tool_tap.event(), regen) == {"batchItemFailures": []}

    planner = agents.get("planner")
    assert planner.status == "ready" and [t.ref for t in planner.resolved_tools] == ["convert_units@1.0.0"]
    assert planner.resolved_tools[0].status == "deprecated"
    assert planner.warnings == ["tools.0: convert_units@1.0.0 is deprecated"]


@pytest.mark.parametrize("spec_changed", [False, True])
def test_lost_derived_state_adopts_the_existing_resources(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, spec_changed
):
    import time

    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    before = agents.get("planner")
    lost = dict.fromkeys(
        ["state_machine_arn", "alias_arn", "live_version_arn", "role_arn", "definition_sha256", "granted"]
    )
    agents.acquire(
        "planner",
        token="t",
        now=int(time.time()),
        ttl_seconds=60,
        generation=before.generation,
        definition_sha256=before.definition_sha256,
    )
    agents.commit("planner", token="t", values={**lost, "policy_mode": None})  # as after a crash
    if spec_changed:
        agents.apply(
            validate_agent_spec(
                {"name": "planner", "model": "offline:default", "system": "New.", "tools": ["convert_units"]}
            )
        )

    outcome = regen.regenerate("planner")

    assert outcome.action == "deployed", outcome
    after = agents.get("planner")
    assert after.state_machine_arn == before.state_machine_arn and after.role_arn == before.role_arn
    assert after.alias_arn == before.alias_arn
    sfn = cp.client("stepfunctions")
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=after.alias_arn)
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == after.live_version_arn
    live = json.loads(sfn.describe_state_machine(stateMachineArn=after.live_version_arn)["definition"])
    assert live["States"]["CallLLM"]["Arguments"]["Payload"]["system"] == (
        "New." if spec_changed else "Help."
    )
