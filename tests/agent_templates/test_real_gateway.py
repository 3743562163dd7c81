"""The rendered agent with the real ``llm_gateway`` handler (offline provider) as its gateway Lambda."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local.testing import create_function
from tests.agent_templates.harness import ToolDef, deploy_agent, deploy_tools
from tests.agent_templates.helpers import make_spec

ROOT = Path(__file__).resolve().parents[2]


def package_files(*packages: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in {".py", ".json"} and "__pycache__" not in path.parts:
                files[str(path.relative_to(ROOT))] = path.read_bytes()
    return files


def test_offline_gateway_drives_two_parallel_tool_calls(aws: Any) -> None:
    if not (ROOT / "llm_gateway" / "handler.py").exists():
        pytest.skip("llm_gateway/handler.py is not there yet")
    gateway = create_function(
        aws,
        "sfa-llm-gateway-dev",
        package_files("llm_gateway", "tool_sdk"),
        "llm_gateway.handler.handler",
        timeout=30,
        env={"SFA_ENV": "dev", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "true"},
    )["FunctionArn"]
    tools = deploy_tools(aws, [ToolDef("reverse_text"), ToolDef("word_count")])
    bot = deploy_agent(aws, make_spec(model="offline:default", tools=["tag:any"]), tools, gateway)

    run = bot.run(
        {"prompt": 'Please reverse_text {"text": "stressed"} and word_count {"text": "one two three"}'}
    )

    assert run.status == "SUCCEEDED", run.cause
    out = run.output
    assert out["status"] == "completed" and out["turns"] == 2 and out["tool_calls"] == 2
    blocks = [b for m in out["messages"] for b in m["content"]]
    uses = [b for b in blocks if b["type"] == "tool_use"]
    results = [b for b in blocks if b["type"] == "tool_result"]
    assert [(u["name"], u["input"]) for u in uses] == [
        ("reverse_text", {"text": "stressed"}),
        ("word_count", {"text": "one two three"}),
    ]
    assert [r["tool_use_id"] for r in results] == [u["id"] for u in uses]
    assert [r["content"] for r in results] == ["desserts", '{"words":3}']
    assert "desserts" in out["answer"] and '{"words":3}' in out["answer"]
    assert len(run.events("MapIterationSucceeded")) == 2
