"""``sfa agent …`` and ``sfa approve|deny`` against the emulator (offline gateway, real tools)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from control_plane.agents import AgentRegistry
from control_plane.agents.runs import AgentRunner, timeline
from control_plane.config import ControlPlaneConfig
from control_plane.registrar.sync import Registrar
from control_plane.registry import create_tables
from sfa.commands import agent, approval
from tests.control_plane.helpers import RecordingPublisher, manifest
from tests.control_plane.regenerator.helpers import create_boundary, deploy_offline_gateway, echo_zip
from tool_sdk import encode_manifest_tags

ENV = "clitest"
cli = typer.Typer()
cli.add_typer(agent.app, name="agent")
cli.command("approve")(approval.approve)
cli.command("deny")(approval.deny)
runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(cli, list(args))


@pytest.fixture
def plane(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SFA_ENV", ENV)
    fast = {"gateway_retry": {"interval_seconds": 1, "max_attempts": 1}, "lambda_retry": {"max_attempts": 1}}
    monkeypatch.setenv("SFA_AGENT_RENDER_OPTIONS", json.dumps(fast))
    config = ControlPlaneConfig(env=ENV)
    create_tables(aws.client("dynamodb"), ENV)
    aws.client("events").create_event_bus(Name=config.bus_name)
    create_boundary(aws, ENV, config.bus_name)
    deploy_offline_gateway(aws, ENV)
    registrar = Registrar(config, lambda_client=aws.client("lambda"), publisher=RecordingPublisher())
    role = aws.client("iam").get_role(RoleName="sfa-local-lambda-role")["Role"]["Arn"]
    for name, extra in (("echo", {}), ("guarded", {"human_approval_required": True})):
        aws.client("lambda").create_function(
            FunctionName=f"tool-{name}-{ENV}",
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": echo_zip()},
            Tags=encode_manifest_tags(manifest(name, "1.0.0", tags=["demo"], **extra)),
        )
        assert registrar.sync(f"tool-{name}-{ENV}").outcome == "registered"
    return aws


def write_spec(tmp_path: Path, tools: list[str], name: str = "helper") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump({"name": name, "model": "offline:default", "system": "Help.", "tools": tools})
    )
    return path


def test_apply_list_show_run_delete(plane, tmp_path):
    applied = invoke("agent", "apply", str(write_spec(tmp_path, ["echo@^1"])), "--sync", "--json")
    assert applied.exit_code == 0, applied.output
    summary = json.loads(applied.stdout)
    assert summary["status"] == "ready" and summary["live_version"] == 1
    assert [t["name"] for t in summary["tools"]] == ["echo"]

    listed = json.loads(invoke("agent", "list", "--json").stdout)
    assert [(a["name"], a["status"]) for a in listed] == [("helper", "ready")]
    shown = invoke("agent", "show", "helper")
    assert shown.exit_code == 0 and "echo" in shown.stdout and "v1" in shown.stdout

    ran = invoke("agent", "run", "helper", 'echo {"value": 2}', "--json")
    assert ran.exit_code == 0, ran.output
    out = json.loads(ran.stdout)
    assert out["status"] == "completed" and out["execution_status"] == "SUCCEEDED"
    assert out["tool_calls"] == 1 and out["turns"] == 2 and '{"echo":{"value":2}}' in out["answer"]
    assert out["execution_arn"].startswith("arn:aws:states:") and out["usage"]["input_tokens"] > 0

    rich = invoke("agent", "run", "helper", 'echo {"value": 3}')
    assert rich.exit_code == 0, rich.output
    assert "turn 1" in rich.stdout and "tool echo" in rich.stdout and '{"echo":{"value":3}}' in rich.stdout
    # inputs and answers that look like Rich markup print as they are (item 16)
    markup = invoke("agent", "run", "helper", 'echo {"value": "[/bold] [link]x[/link] [red]"}')
    assert markup.exit_code == 0, markup.output
    assert markup.stdout.count("[/bold] [link]x[/link] [red]") >= 2  # the tool line and the answer

    deleted = invoke("agent", "delete", "helper", "--sync")
    assert deleted.exit_code == 0, deleted.output
    assert json.loads(invoke("agent", "list", "--json").stdout) == []
    assert invoke("agent", "show", "helper").exit_code == 1


def test_invalid_spec_and_unresolvable_tools_fail(plane, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "x y", "model": "offline:default", "tools": ["tag:Bad"]}))
    result = invoke("agent", "apply", str(bad), "--sync")
    assert result.exit_code == 1 and "name:" in result.stderr and "tools.0" in result.stderr

    missing = invoke("agent", "apply", str(write_spec(tmp_path, ["nope@^1"], "lost")), "--sync")
    assert missing.exit_code == 1 and "no such tool is registered" in missing.stderr
    not_live = invoke("agent", "run", "lost", "hi")
    assert not_live.exit_code == 1 and "no live version" in not_live.stderr


def test_apply_waits_for_a_regenerator_and_times_out_without_one(plane, tmp_path):
    spec = str(write_spec(tmp_path, ["echo"]))
    result = invoke("agent", "apply", spec, "--timeout", "0.3")
    assert result.exit_code == 3 and "--sync" in result.stderr
    assert invoke("agent", "apply", spec, "--no-wait").exit_code == 0  # unchanged: reports, no write
    assert "unchanged" in invoke("agent", "apply", spec, "--no-wait").stderr


def _waiting_token(runner_: AgentRunner, arn: str) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        waiting = [e for e in timeline(runner_.history(arn)) if e.outcome == "waiting"]
        if waiting:
            return waiting[0].detail["task_token"]
        time.sleep(0.05)
    raise AssertionError("no approval request")


@pytest.mark.parametrize("decision", ["approve", "deny"])
def test_approval_decisions(plane, tmp_path, decision):
    assert invoke("agent", "apply", str(write_spec(tmp_path, ["guarded"])), "--sync").exit_code == 0
    runs = AgentRunner(
        AgentRegistry(f"AgentRegistry-{ENV}", plane.client("dynamodb")), plane.client("stepfunctions")
    )
    arn = runs.start("helper", {"prompt": 'guarded {"value": 7}'})
    token = _waiting_token(runs, arn)

    if decision == "approve":  # found among the running executions of the environment's agents
        approved = invoke("approve", token, "--yes")
        assert approved.exit_code == 0, approved.output
        assert '"value": 7' in approved.stdout and "approved by arn:aws:sts::" in approved.stdout
    else:
        denied = invoke("deny", token, "--reason", "not today")
        assert denied.exit_code == 0 and "denied by arn:aws:sts::" in denied.stdout
    result = runs.follow(arn, timeout_seconds=30)

    assert result.execution_status == "SUCCEEDED"
    [tool_result] = [b for m in result.output["messages"] for b in m["content"] if b["type"] == "tool_result"]
    if decision == "approve":
        assert tool_result["content"] == '{"echo":{"value":7}}' and not tool_result.get("is_error")
    else:
        assert tool_result["is_error"] and "denied" in tool_result["content"]
        assert "ToolCallDenied" in tool_result["content"]
    again = invoke("approve", token, "--yes")
    assert again.exit_code == 1 and "no approval request with this token" in again.stderr
    decided = invoke("approve", token, "--yes", "--execution", arn)
    assert decided.exit_code == 1 and "no approval request with this token in arn:" in decided.stderr


def test_sync_renders_with_the_deployed_regenerators_settings(plane, tmp_path, monkeypatch):
    from local.testing import create_function

    monkeypatch.delenv("SFA_AGENT_RENDER_OPTIONS")
    gateway = f"arn:aws:lambda:us-east-1:123456789012:function:sfa-llm-gateway-{ENV}:live"
    settings = {"SFA_GATEWAY_FUNCTION_ARN": gateway, "SFA_AGENT_RENDER_OPTIONS": '{"tool_concurrency": 3}'}
    create_function(plane, f"sfa-regenerator-{ENV}", {"README.txt": "x"}, "x.handler", env=settings)

    result = invoke("agent", "apply", str(write_spec(tmp_path, ["echo"])), "--sync", "--json")

    assert result.exit_code == 0, result.output
    arn = json.loads(result.stdout)["live_version_arn"]
    definition = json.loads(
        plane.client("stepfunctions").describe_state_machine(stateMachineArn=arn)["definition"]
    )
    assert definition["States"]["CallLLM"]["Arguments"]["FunctionName"] == gateway
    assert {s["MaxConcurrency"] for s in definition["States"].values() if s["Type"] == "Map"} == {3}
