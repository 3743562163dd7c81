"""Acceptance on the emulator: registry changes reach exactly the agents that select the tool."""

from __future__ import annotations

import json
from typing import Any

from agent_templates import validate_agent_spec
from control_plane.agents.iam import INLINE_POLICY_NAME
from control_plane.regenerator import handler as regen_handler
from tests.control_plane.helpers import manifest

CONVERT = "tool-convert-units-test"
STATS = "tool-text-stats-test"


def spec(name: str, tools: list[str]) -> Any:
    return validate_agent_spec({"name": name, "model": "offline:default", "system": "Help.", "tools": tools})


def setup_two_agents(
    tools: Any, registrar: Any, agents: Any, regen: Any, agent_tap: Any, tool_tap: Any
) -> None:
    tools.create(CONVERT, manifest("convert_units", "1.0.0", tags=["travel", "math"]))
    tools.create(STATS, manifest("text_stats", "1.0.0", tags=["text"]))
    for fn in (CONVERT, STATS):
        assert registrar.sync(fn).outcome == "registered"
    agents.apply(spec("planner", ["convert_units@^1"]))
    agents.apply(spec("writer", ["tag:text"]))
    response = regen_handler.handle(agent_tap.event(), regen)
    assert response == {"batchItemFailures": []}
    tool_tap.skip()
    agent_tap.skip()  # the regenerator's own derived-state writes


def inline_policy(cp: Any, agent: str) -> dict[str, Any]:
    doc = cp.client("iam").get_role_policy(RoleName=f"agent-{agent}-test", PolicyName=INLINE_POLICY_NAME)
    document = doc["PolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def alias_version(cp: Any, agent: str) -> str:
    alias = cp.client("stepfunctions").describe_state_machine_alias(
        stateMachineAliasArn=f"arn:aws:states:us-east-1:123456789012:stateMachine:agent-{agent}-test:live"
    )
    return alias["routingConfiguration"][0]["stateMachineVersionArn"]


def test_apply_creates_state_machine_alias_and_bounded_role(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, boundary, publisher
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)

    planner = agents.get("planner")
    assert planner.status == "ready" and planner.rendered_generation == 1
    assert [t.ref for t in planner.resolved_tools] == ["convert_units@1.0.0"]
    assert planner.live_version_arn.endswith(":agent-planner-test:1")
    assert alias_version(cp, "planner") == planner.live_version_arn
    role = cp.client("iam").get_role(RoleName="agent-planner-test")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:agent-planner-test"
    assert trust["Statement"][0]["Condition"] == {  # its own state machine only (confused deputy)
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": [machine, f"{machine}:*"]},
    }
    arn = tools.arn(CONVERT)
    gateway = "arn:aws:lambda:us-east-1:123456789012:function:sfa-llm-gateway-test"
    statement, *chain = inline_policy(cp, "planner")["Statement"]
    assert [s["Sid"] for s in chain] == [  # history budget: child executions of itself
        "ContinueInChildExecution",
        "FollowChildExecutions",
        "SyncExecutionEvents",
    ]
    assert statement["Action"] == "lambda:InvokeFunction"
    # the tool exactly at the version the registrar published, never unqualified or ":*"
    assert statement["Resource"] == sorted([f"{arn}:1", gateway, f"{gateway}:*"])
    described = cp.client("stepfunctions").describe_state_machine(stateMachineArn=planner.state_machine_arn)
    assert described["roleArn"] == role["Arn"]
    assert sorted(e.agent_name for e in publisher.of("AgentRegenerated")) == ["planner", "writer"]
    assert agents.get("writer").resolved_tools[0].ref == "text_stats@1.0.0"


def test_new_tool_version_regenerates_only_the_agent_that_selects_it(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, counter, publisher
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    before = agents.get("planner")
    counter.reset()
    publisher.clear()

    tools.update_code(CONVERT, "b")
    tools.retag(CONVERT, manifest("convert_units", "1.1.0", tags=["travel", "math"]))
    assert registrar.sync(CONVERT).outcome in ("registered", "updated")
    response = regen_handler.handle(tool_tap.event(), regen)

    assert response == {"batchItemFailures": []}
    after = agents.get("planner")
    assert [t.ref for t in after.resolved_tools] == ["convert_units@1.1.0"]
    assert after.live_version_arn.endswith(":2") and after.previous_version_arn == before.live_version_arn
    assert alias_version(cp, "planner") == after.live_version_arn
    sfn = cp.client("stepfunctions")
    new_definition = json.loads(
        sfn.describe_state_machine(stateMachineArn=after.live_version_arn)["definition"]
    )
    old_definition = json.loads(
        sfn.describe_state_machine(stateMachineArn=before.live_version_arn)["definition"]
    )
    assert new_definition["States"]["Start"]["Assign"]["tools"]["convert_units"]["version"] == "1.1.0"
    assert old_definition["States"]["Start"]["Assign"]["tools"]["convert_units"]["version"] == "1.0.0"
    # the writer agent was not touched: no Step Functions or IAM call names it
    touched = json.dumps([p for s, _, p in counter.calls if s in ("stepfunctions", "iam")])
    assert "writer" not in touched
    assert [p["stateMachineArn"] for p in counter.of("stepfunctions", "update_state_machine")] == [
        after.state_machine_arn
    ]
    assert agents.get("writer").live_version_arn.endswith(":1")
    [event] = publisher.of("AgentRegenerated")
    # 1.0.0 was superseded (disabled) by the same function, 1.1.0 registered
    assert event.agent_name == "planner" and event.trigger_tools == [
        "convert_units@1.0.0",
        "convert_units@1.1.0",
    ]
    assert event.previous_version_arn == before.live_version_arn


def test_no_op_changes_make_no_aws_calls(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, counter, config
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    counter.reset()

    # a rewrite of a version item that changes nothing an agent renders (bookkeeping fields)
    cp.client("dynamodb").update_item(
        TableName=config.tool_table,
        Key={"tool_name": {"S": "convert_units"}, "version": {"S": "1.0.0"}},
        UpdateExpression="SET code_sha256 = :c, updated_at = :u",
        ExpressionAttributeValues={":c": {"S": "other"}, ":u": {"S": "2030-01-01T00:00:00Z"}},
    )
    event = tool_tap.event()
    assert [r["eventName"] for r in event["Records"]] == ["MODIFY"]
    assert regen_handler.handle(event, regen) == {"batchItemFailures": []}
    assert counter.calls == []

    # a re-applied identical spec writes nothing; a spec record without a generation change is ignored
    assert agents.apply(spec("planner", ["convert_units@^1"])).changed is False
    assert regen_handler.handle(agent_tap.event(), regen) == {"batchItemFailures": []}
    assert counter.calls == []


def test_a_tool_no_agent_selects_costs_one_index_read(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, counter
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    counter.reset()

    tools.create("tool-weather-test", manifest("weather", "1.0.0", tags=["forecast"]))
    registrar.sync("tool-weather-test")
    assert regen_handler.handle(tool_tap.event(), regen) == {"batchItemFailures": []}

    assert counter.by_operation() == {"dynamodb.batch_get_item": 1}


def test_a_new_major_version_keeps_caret_pins_and_a_disabled_pin_fails_the_agent(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, publisher
):
    from control_plane.registrar.lifecycle import change_status

    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    before = agents.get("planner")
    # the same function now serves 2.0.0 (new code): 1.0.0 stays active on its published version
    tools.update_code(CONVERT, "v2")
    tools.retag(CONVERT, manifest("convert_units", "2.0.0", tags=["travel", "math"]))
    assert registrar.sync(CONVERT).outcome == "registered"
    assert regen_handler.handle(tool_tap.event(), regen) == {"batchItemFailures": []}
    planner = agents.get("planner")
    assert planner.status == "ready" and [t.ref for t in planner.resolved_tools] == ["convert_units@1.0.0"]
    assert planner.live_version_arn == before.live_version_arn  # nothing it uses changed

    # an operator disables 1.0.0: ^1 matches nothing usable any more
    change_status(
        registrar.registry, publisher, "convert_units", "1.0.0", "disabled", actor="ops", reason="broken"
    )
    response = regen_handler.handle(tool_tap.event(), regen)

    assert response == {"batchItemFailures": []}  # deterministic: recorded, not retried
    planner = agents.get("planner")
    assert planner.status == "failed" and planner.last_error.step == "render"
    assert "no usable version of 'convert_units'" in planner.last_error.message
    assert alias_version(cp, "planner") == planner.live_version_arn
    [failed] = publisher.of("AgentRegenerationFailed")
    assert failed.agent_name == "planner" and failed.retryable is False
