"""The whole loop on the local control plane: plain Lambda API calls → registrar → ToolRegistry stream
→ the regenerator Lambda (stream pump, partial batch failures) → state machine, alias, role → a run
on the live alias through the real gateway (offline provider)."""

from __future__ import annotations

from typing import Any

from agent_templates import validate_agent_spec
from control_plane.agents import AgentRegistry
from control_plane.agents.runs import AgentRunner
from local.testing import ensure_lambda_role
from tests.control_plane.helpers import manifest
from tests.control_plane.regenerator.helpers import echo_zip
from tool_sdk import encode_manifest_tags


def test_tool_versions_flow_to_the_live_alias(aws: Any, local_control_plane: Any) -> None:
    lam = aws.client("lambda")
    arn = lam.create_function(
        FunctionName="tool-echo-dev",
        Runtime="python3.12",
        Role=ensure_lambda_role(aws),
        Handler="app.handler",
        Code={"ZipFile": echo_zip()},
        Tags=encode_manifest_tags(manifest("echo", "1.0.0", tags=["demo"])),
    )["FunctionArn"]
    lam.create_function(
        FunctionName="tool-other-dev",
        Runtime="python3.12",
        Role=ensure_lambda_role(aws),
        Handler="app.handler",
        Code={"ZipFile": echo_zip()},
        Tags=encode_manifest_tags(manifest("other", "1.0.0", tags=["misc"])),
    )["FunctionArn"]
    local_control_plane.settle()
    agents = AgentRegistry("AgentRegistry-dev", aws.client("dynamodb"))
    agents.apply(validate_agent_spec({"name": "helper", "model": "offline:default", "tools": ["tag:demo"]}))
    agents.apply(validate_agent_spec({"name": "bystander", "model": "offline:default", "tools": ["other"]}))
    local_control_plane.settle()

    helper = agents.wait("helper", timeout=30)
    assert helper.status == "ready", helper.last_error
    assert [t.ref for t in helper.resolved_tools] == ["echo@1.0.0"]
    assert helper.live_version_arn.endswith("agent-helper-dev:1")
    bystander = agents.get("bystander")

    runs = AgentRunner(agents, aws.client("stepfunctions"))
    result = runs.follow(runs.start("helper", {"prompt": 'echo {"n": 1}'}), timeout_seconds=30)
    assert result.status == "completed", result.as_json()
    assert '{"echo":{"n":1}}' in result.output["answer"]

    lam.tag_resource(Resource=arn, Tags=encode_manifest_tags(manifest("echo", "1.1.0", tags=["demo"])))
    local_control_plane.settle()

    helper = agents.get("helper")
    assert helper.status == "ready" and [t.ref for t in helper.resolved_tools] == ["echo@1.1.0"]
    assert helper.live_version_arn.endswith("agent-helper-dev:2")
    alias = aws.client("stepfunctions").describe_state_machine_alias(stateMachineAliasArn=helper.alias_arn)
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == helper.live_version_arn
    execution = runs.start("helper", {"prompt": 'echo {"n": 2}'})
    assert runs.follow(execution, timeout_seconds=30).status == "completed"
    described = aws.client("stepfunctions").describe_execution(executionArn=execution)
    assert described["stateMachineVersionArn"] == helper.live_version_arn
    assert agents.get("bystander") == bystander  # untouched: not even its derived state was written
