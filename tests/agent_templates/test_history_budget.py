"""History budget (issue 8): long conversations continue in child executions.

The 400-turn run uses a low ``max_history_events`` so the emulator run stays fast (moto's cost per
event grows with the execution's history: 80 turns take 14.5 s at a 1,000-event cap, 20.8 s at
2,000, 34.7 s at 4,000 — so shorter executions, not a tighter bound, speed it up); the static test
proves the default 25,000 math: the bound ``$events`` is never below the real count, and a turn is
only started when its worst case still fits.
"""

from __future__ import annotations

import json
import time
from typing import Any

from agent_templates import RenderOptions, RetryPolicy, render_agent_definition
from agent_templates.history import history_limits, worst_turn_events
from tests.agent_templates.harness import ToolDef, deploy_agent, deploy_tools
from tests.agent_templates.helpers import GATEWAY_ARN, make_spec, make_tool
from tests.agent_templates.large_harness import MAX_STATE_BYTES, deploy_content_gateway, max_state_bytes

SCRIPTED = (__import__("pathlib").Path(__file__).parent / "scripted_gateway.py").read_text(encoding="utf-8")
CHAIN_OPTIONS = RenderOptions(
    offload=True,
    gateway_retry=RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0),
    lambda_retry=RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0),
    max_history_events=1_000,
    history_margin_events=0,
)


def chain_executions(aws: Any, machine_arn: str) -> list[dict[str, Any]]:
    sfn = aws.client("stepfunctions")
    return sfn.list_executions(stateMachineArn=machine_arn, maxResults=1000)["executions"]


def history(aws: Any, execution_arn: str) -> list[dict[str, Any]]:
    sfn = aws.client("stepfunctions")
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def test_default_budget_math_keeps_every_execution_under_25000_events() -> None:
    options = RenderOptions()
    limits = history_limits(options)
    definition = render_agent_definition(make_spec(), [make_tool()], GATEWAY_ARN, options=options)
    assert definition["States"]["Start"]["Assign"]["limits"]["history"] == limits
    assert limits["max"] == 24_000  # 25,000 minus the 1,000-event margin
    # Upper bounds per part, retries at their maximum (3 events each).
    assert limits["llm"] == 5 + 3 * (4 + 3) + 2  # CallLLM + gateway and Lambda retries + NextStep
    assert limits["call"] == 2 + (5 + 3 * 3) + 2
    # A turn is started only if events + worst turn + tail <= max: by induction no execution ends
    # above max + margin - (what the check already reserved), i.e. under 25,000.
    for calls in (1, 2, 10, 40):
        events = limits["max"] - worst_turn_events(limits, calls) - limits["tail"]
        worst = events + worst_turn_events(limits, calls) + limits["tail"]
        assert worst <= 25_000 - options.history_margin_events
    # The real count of a fast-path turn (no retries, no failures) is below the bound.
    real_turn_2_calls = 5 + 2 + 4 + 2 * (2 + 5)
    assert real_turn_2_calls <= worst_turn_events(limits, 2)
    # Roughly how many 2-call turns one execution holds before continuing (real turns cost less).
    assert (limits["max"] - limits["start"] - limits["tail"]) // worst_turn_events(limits, 2) >= 200


def test_400_turns_continue_in_child_executions(aws: Any) -> None:
    gateway, store = deploy_content_gateway(
        aws,
        env={"SFA_CONTENT_COMPACT_BYTES": "16000"},
        extra_files={"scripted_gateway.py": SCRIPTED},
        handler="scripted_gateway.handler",
    )
    tools = deploy_tools(aws, [ToolDef("echo")])
    spec = make_spec(model="scripted:400", tools=["tag:any"], max_turns=450)
    bot = deploy_agent(aws, spec, tools, gateway, options=CHAIN_OPTIONS)
    started = time.monotonic()
    run = bot.run({"prompt": "Go."}, timeout=240)
    elapsed = time.monotonic() - started

    assert run.status == "SUCCEEDED", run.cause
    out = run.output
    assert out["status"] == "completed"
    assert out["answer"].startswith("done after 400 tool turns; last results: ")
    assert '{"turn":400,"call":0}' in out["answer"]
    executions = chain_executions(aws, bot.arn)
    assert len(executions) >= 10  # ~20 turns per execution under the 1,000-event test cap
    # Each child asks the model again for the turn its parent did not run: one more LLM call per
    # child, counted (max_turns and the token budget count LLM calls); every tool call ran once.
    assert out["turns"] == 401 + len(executions) - 1 and out["tool_calls"] == 800
    assert out["usage"] == {"input_tokens": 10 * out["turns"], "output_tokens": out["turns"]}
    assert all(e["status"] == "SUCCEEDED" for e in executions)
    for execution in executions:
        events = history(aws, execution["executionArn"])
        assert len(events) <= CHAIN_OPTIONS.max_history_events
        assert max_state_bytes(events) < MAX_STATE_BYTES
        entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
        assert entered[:3] == ["Start", "NextStep", "CallLLM"]  # no tool before the model's call
        started_with = json.loads(events[0]["executionStartedEventDetails"]["input"])
        assert "pending" not in started_with.get("sfa_chain", {})
    print(f"400 turns: {len(executions)} executions in {elapsed:.1f} s")
    assert store.bucket and json.dumps(out)  # output is small: the conversation is by reference
