"""``sfa agent trace``: a run that continued in child executions (history budget), on the emulator."""

from __future__ import annotations

import itertools
import json
from typing import Any

import typer
from typer.testing import CliRunner

from agent_templates import RenderOptions, RetryPolicy
from sfa.commands import agent
from tests.agent_templates.harness import ToolDef, deploy_agent, deploy_tools
from tests.agent_templates.helpers import make_spec
from tests.agent_templates.large_harness import deploy_content_gateway
from tests.agent_templates.test_history_budget import SCRIPTED, chain_executions

cli = typer.Typer()
cli.add_typer(agent.app, name="agent")
ONE_TRY = RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0)
SMALL_CAP = RenderOptions(
    offload=True, gateway_retry=ONE_TRY, lambda_retry=ONE_TRY, max_history_events=300, history_margin_events=0
)
TURNS = 8  # tool turns; each calls echo twice, then one answering turn


def test_trace_follows_the_chain(aws: Any) -> None:
    gateway, _ = deploy_content_gateway(
        aws, extra_files={"scripted_gateway.py": SCRIPTED}, handler="scripted_gateway.handler"
    )
    tools = deploy_tools(aws, [ToolDef("echo")])
    spec = make_spec(model=f"scripted:{TURNS}", tools=["tag:any"], max_turns=2 * TURNS)
    bot = deploy_agent(aws, spec, tools, gateway, options=SMALL_CAP)
    first = bot.start({"prompt": "Go."})
    run = bot.wait(first, timeout=120)
    assert run.status == "SUCCEEDED", run.cause
    executions = chain_executions(aws, bot.arn)
    assert len(executions) >= 2

    result = CliRunner().invoke(cli, ["agent", "trace", first, "--json"])
    assert result.exit_code == 0, result.output
    traced = json.loads(result.output)
    links = traced["executions"]
    assert links[0]["execution_arn"] == first
    assert {link["execution_arn"] for link in links} == {e["executionArn"] for e in executions}
    for parent, child in itertools.pairwise(links):
        assert parent["child_arn"] == child["execution_arn"]
    assert links[-1]["child_arn"] is None
    assert all(link["status"] == "SUCCEEDED" for link in links)
    assert all(0 < link["history_events"] <= SMALL_CAP.max_history_events for link in links)
    # the chain's turns and tool calls add up to the whole conversation's (each child asks the model
    # again for the turn its parent left: one more LLM call per child)
    assert traced["turns"] == run.output["turns"] == TURNS + 1 + len(links) - 1
    assert traced["tool_calls"] == run.output["tool_calls"] == 2 * TURNS
    assert all(link["turns"] >= 1 for link in links)

    text = CliRunner().invoke(cli, ["agent", "trace", first])
    assert text.exit_code == 0, text.output
    turns = TURNS + len(links)
    assert f"{len(links)} execution(s): {turns} turn(s), {2 * TURNS} tool call(s)" in text.output
    assert links[-1]["execution_arn"] in text.output


def test_trace_of_an_unknown_execution_fails(aws: Any) -> None:
    arn = "arn:aws:states:us-east-1:123456789012:execution:agent-x-dev:nope"
    result = CliRunner().invoke(cli, ["agent", "trace", arn, "--json"])
    assert result.exit_code == 1
