"""`sfa deploy-tool`, `sfa tools`, `sfa events tail` against the local control plane, and `sfa local up`."""

from __future__ import annotations

import json
import shutil
import signal
import threading
import time
from pathlib import Path

from typer.testing import CliRunner

from sfa.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tools"
runner = CliRunner()


def sfa(*args: str):
    result = runner.invoke(app, list(args))
    return result


def test_deploy_tool_registers_and_updates_only_what_changed(aws, local_control_plane, tmp_path):
    first = sfa("deploy-tool", str(EXAMPLES / "convert_units"))
    assert first.exit_code == 0, first.output
    assert "created: tool-convert_units-dev — convert_units@1.0.0" in first.stdout
    local_control_plane.settle()
    again = sfa("deploy-tool", str(EXAMPLES / "convert_units"))
    assert "unchanged" in again.stdout

    changed = tmp_path / "convert_units"
    shutil.copytree(EXAMPLES / "convert_units", changed)
    manifest = changed / "manifest.yaml"
    manifest.write_text(manifest.read_text().replace("version: 1.0.0", "version: 1.1.0"))
    (changed / "handler.py").write_text((changed / "handler.py").read_text() + "\n# v1.1\n")
    update = sfa("deploy-tool", str(changed))
    assert "(UpdateFunctionCode, TagResource)" in update.stdout, update.output
    local_control_plane.settle()

    listed = json.loads(sfa("tools", "list", "--json").stdout)
    assert [(t["name"], t["version"]) for t in listed] == [("convert_units", "1.1.0")]
    shown = json.loads(sfa("tools", "show", "convert_units", "--json").stdout)
    assert shown["lambda_function_name"] == "tool-convert_units-dev"
    assert [h["version"] for h in shown["versions"]] == ["1.0.0", "1.1.0"]


def test_deploy_tool_node_and_errors(aws, local_control_plane, tmp_path):
    assert sfa("deploy-tool", str(EXAMPLES / "text_stats")).exit_code == 0
    local_control_plane.settle()
    out = aws.client("lambda").invoke(FunctionName="tool-text_stats-dev", Payload=b'{"text": "a b c."}')
    assert json.loads(out["Payload"].read())["words"] == 3
    missing = sfa("deploy-tool", str(tmp_path))
    assert missing.exit_code == 1 and "has no manifest" in missing.stderr
    shown = sfa("tools", "show", "nope")
    assert shown.exit_code == 1


def test_events_tail_sees_registrations(aws, local_control_plane):
    lines: list[str] = []

    def tail() -> None:
        result = sfa("events", "tail", "--json", "--count", "1", "--timeout", "20")
        lines.extend(result.stdout.splitlines())

    thread = threading.Thread(target=tail)
    thread.start()
    time.sleep(1.0)  # the subscription exists before the tool is deployed
    sfa("deploy-tool", str(EXAMPLES / "text_stats"))
    thread.join(timeout=30)
    event = json.loads(lines[0])
    assert event["detail-type"] == "ToolRegistered"
    assert event["detail"]["tool_name"] == "text_stats"


def test_local_up_prints_endpoint_and_status_works(local_up, tmp_path):
    status = local_up.sfa("local", "status", "--json")
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert state["endpoint_url"] == local_up.endpoint
    assert "sfa-registrar-dev" in state["functions"]
    local_up.process.send_signal(signal.SIGINT)
    assert local_up.process.wait(timeout=30) == 0
    assert not (tmp_path / "local.json").exists()
