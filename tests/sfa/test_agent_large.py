"""``sfa agent run|trace`` with an answer above the content threshold (issue 12, item 13).

On local mode (the platform with its content bucket: offload on), a tool returns 100 KB and the
offline provider quotes it, so the answer is a content reference: ``sfa agent run`` prints it
resolved, ``--json`` keeps the reference, ``sfa agent trace`` follows the run — nothing crashes.
"""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from agent_templates import validate_agent_spec
from control_plane.agents import AgentRegistry
from local.testing import build_zip, ensure_lambda_role
from sfa.cli import app
from tool_sdk import encode_manifest_tags, validate_manifest
from tool_sdk.content import is_ref

BIG = 100_000
TOOL = f"def handler(event, context):\n    return 'B' * {BIG} + ' [/bold] <END>'\n"


def test_an_answer_by_reference_is_printed_resolved(aws: Any, local_control_plane: Any) -> None:
    data = {
        "name": "big",
        "version": "1.0.0",
        "description": "A big text.",
        "input_schema": {"type": "object"},
    }
    manifest = validate_manifest(data, portability=False)[0]
    aws.client("lambda").create_function(
        FunctionName="tool-big-dev",
        Runtime="python3.12",
        Role=ensure_lambda_role(aws),
        Handler="app.handler",
        Code={"ZipFile": build_zip({"app.py": TOOL})},
        Tags=encode_manifest_tags(manifest),
    )
    local_control_plane.settle()
    spec = {"name": "quoter", "model": "offline:default", "tools": ["big"], "max_tokens": 100_000}
    agents = AgentRegistry("AgentRegistry-dev", aws.client("dynamodb"))
    agents.apply(validate_agent_spec(spec))
    local_control_plane.settle()
    assert agents.wait("quoter", timeout=60).status == "ready"
    cli = CliRunner()

    ran = cli.invoke(app, ["agent", "run", "quoter", "big {}"])
    assert ran.exit_code == 0, ran.output
    assert ran.exception is None or isinstance(ran.exception, SystemExit)
    assert "B" * 1000 in ran.stdout and "[/bold] <END>" in ran.stdout  # resolved, printed as text

    as_json = cli.invoke(app, ["agent", "run", "quoter", "big {}", "--json"])
    assert as_json.exit_code == 0, as_json.output
    out = json.loads(as_json.stdout)
    assert is_ref(out["answer"]) and out["answer"]["bytes"] > BIG  # JSON keeps the reference

    traced = cli.invoke(app, ["agent", "trace", out["execution_arn"]])
    assert traced.exit_code == 0, traced.output
    assert "1 execution(s): 2 turn(s), 1 tool call(s)" in traced.stdout
