"""Snapshot of a rendered definition, and cfn-lint's Step Functions checks on it.

The snapshot is the reviewable form of the template: a change to it is a change to every deployed
agent. After an intended change, regenerate it and review the diff:

    SFA_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/agent_templates/test_snapshot.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from agent_templates import AgentSpec, RenderOptions, ResolvedTool, definition_json, validate_agent_spec
from tests.agent_templates.helpers import GATEWAY_ARN, tool_arn

SNAPSHOT = Path(__file__).parent / "snapshots" / "trip_planner.asl.json"


def snapshot_inputs() -> tuple[AgentSpec, list[ResolvedTool]]:
    spec = validate_agent_spec(
        {
            "name": "trip-planner",
            "model": "anthropic:claude-sonnet-4-5",
            "fallbacks": ["openai:gpt-5-mini"],
            "system": 'You plan trips. Use the tools for every number you state. Say "done" at the end.',
            "tools": ["convert_units@^1", "tag:text"],
            "max_turns": 10,
            "max_tokens_per_run": 50000,
            "approval": {"tools": ["text_stats"], "timeout_seconds": 3600},
        }
    )
    tools = [
        ResolvedTool(
            name="convert_units",
            version="1.0.0",
            lambda_arn=tool_arn("tool-convert_units-dev", 3),
            description="Convert a quantity between units of length, mass or temperature.",
            input_schema={
                "type": "object",
                "properties": {
                    "value": {"type": "number"},
                    "from_unit": {"type": "string", "enum": ["km", "mi"]},
                    "to_unit": {"type": "string", "enum": ["km", "mi"]},
                },
                "required": ["value", "from_unit", "to_unit"],
            },
            timeout_seconds=5,
        ),
        ResolvedTool(
            name="text_stats",
            version="1.0.0",
            lambda_arn=tool_arn("tool-text_stats-dev", 1),
            description="Count the words of a text.",
            input_schema={"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
            tags=("text",),
        ),
    ]
    return spec, tools


def rendered_pretty() -> str:
    spec, tools = snapshot_inputs()
    canonical = definition_json(spec, tools, GATEWAY_ARN, options=RenderOptions(env="dev"))
    return json.dumps(json.loads(canonical), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_rendered_definition_matches_snapshot() -> None:
    current = rendered_pretty()
    if os.environ.get("SFA_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.exists(), f"no snapshot yet: run with SFA_UPDATE_SNAPSHOTS=1 to create {SNAPSHOT.name}"
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "the rendered definition changed; if intended, regenerate with "
        "SFA_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/agent_templates/test_snapshot.py"
    )


# cfn-lint 1.x's ASL schema predates JSONata timeouts: Step Functions accepts a JSONata expression in
# a JSONata state's TimeoutSeconds (CDK: sfn.Timeout.jsonata), cfn-lint wants a number.
_KNOWN_FALSE_POSITIVES = tuple(
    f"is not of type 'number' at 'States/{path}/TimeoutSeconds'"
    for path in (
        "RunTools/ItemProcessor/States/InvokeTool",
        "RunToolsGuarded/ItemProcessor/States/GuardedInvokeTool",
    )
)


def test_cfn_lint_accepts_the_definition() -> None:
    api = pytest.importorskip("cfnlint.api")
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Agent": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": "arn:aws:iam::123456789012:role/agent",
                    "DefinitionString": rendered_pretty(),
                },
            }
        },
    }
    matches = api.lint(json.dumps(template), config=api.ManualArgs(regions=["us-east-1"]))
    unexpected = [str(m) for m in matches if not any(fp in str(m) for fp in _KNOWN_FALSE_POSITIVES)]
    assert unexpected == []
    assert len(matches) <= len(_KNOWN_FALSE_POSITIVES)
