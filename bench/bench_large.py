"""Large payloads and the history budget (docs/large-payloads.md), measured on the local emulator.

* ``offload_2mb_tool_result_ms``: one run end to end in which a tool returns 2 MB of text — the
  gateway's tool invoker offloads it to the content bucket, the gateway resolves it for the (offline)
  model and offloads the large answer. Wall time from StartExecution to the end of the execution.
* ``max_state_bytes_2mb_run``: the largest state input/output/parameters/result of that run's
  history (Step Functions' limit: 262,144 bytes).
* ``chain_turns_per_execution`` and ``chain_max_history_events``: a scripted conversation of
  ``CHAIN_TURNS`` tool turns (2 tool calls each) under a small history cap (``CHAIN_CAP`` events),
  so it continues in child executions: turns per execution (mean) and the largest history.

The emulator's timings are not AWS latencies (no network, Lambdas run in-process); the state sizes
and event counts are the same as on AWS for the same definition. Run with
``python bench/bench_large.py`` or ``python -m bench --only large`` (~20-40 s).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent_templates import RenderOptions, RetryPolicy

SIZE = 2 * 1024 * 1024
CHAIN_TURNS = 60
CHAIN_CAP = 1_000
BIG_TOOL = "def handler(event, context):\n    return 'A' * event['n'] + '<END>'\n"
_ONE_TRY = RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0)
OFFLOAD = RenderOptions(offload=True, gateway_retry=_ONE_TRY, lambda_retry=_ONE_TRY)
CHAIN = OFFLOAD.model_copy(update={"max_history_events": CHAIN_CAP, "history_margin_events": 0})


def _large_run(aws: Any) -> dict[str, float]:
    from tests.agent_templates.harness import ToolDef, deploy_agent, deploy_tools
    from tests.agent_templates.helpers import make_spec
    from tests.agent_templates.large_harness import bucket_objects, deploy_content_gateway, max_state_bytes

    gateway, store = deploy_content_gateway(aws, env={"SFA_MAX_TOOL_RESULT_BYTES": str(4 * SIZE)})
    tools = deploy_tools(aws, [ToolDef("big", BIG_TOOL)])
    bot = deploy_agent(aws, make_spec(tools=["tag:any"], max_tokens=200_000), tools, gateway, options=OFFLOAD)
    started = time.perf_counter()
    run = bot.run({"prompt": f'big {{"n": {SIZE}}}'}, timeout=180)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if run.status != "SUCCEEDED":
        raise RuntimeError(f"the 2 MB run did not succeed: {run.error} {run.cause}")
    if not any(len(body) == SIZE + 5 for body in bucket_objects(store).values()):
        raise RuntimeError("the 2 MB tool result is not in the content bucket")
    return {"ms": round(elapsed_ms, 1), "max_state_bytes": max_state_bytes(run.history)}


def _chain_run(aws: Any) -> dict[str, Any]:
    from tests.agent_templates.harness import ToolDef, deploy_agent, deploy_tools
    from tests.agent_templates.helpers import make_spec
    from tests.agent_templates.large_harness import deploy_content_gateway
    from tests.agent_templates.test_history_budget import SCRIPTED, chain_executions, history

    gateway, _ = deploy_content_gateway(
        aws,
        name="sfa-llm-gateway-chain",
        extra_files={"scripted_gateway.py": SCRIPTED},
        handler="scripted_gateway.handler",
    )
    tools = deploy_tools(aws, [ToolDef("echo")])
    spec = make_spec(
        name="chain", model=f"scripted:{CHAIN_TURNS}", tools=["tag:any"], max_turns=2 * CHAIN_TURNS
    )
    bot = deploy_agent(aws, spec, tools, gateway, options=CHAIN)
    started = time.perf_counter()
    run = bot.run({"prompt": "Go."}, timeout=300)
    elapsed = time.perf_counter() - started
    executions = chain_executions(aws, bot.arn)
    # each child asks the model again for the turn its parent left (issue 12): one LLM call more
    if run.status != "SUCCEEDED" or run.output.get("turns") != CHAIN_TURNS + len(executions):
        raise RuntimeError(f"the chain run did not complete: {run.error} {run.cause}")
    events = [len(history(aws, e["executionArn"])) for e in executions]
    return {"executions": len(executions), "events": events, "turns": run.output["turns"], "s": elapsed}


def run() -> dict[str, dict]:
    from local.emulator import LocalAws

    aws = LocalAws().start()
    try:
        large = _large_run(aws)
        chain = _chain_run(aws)
    finally:
        aws.stop()
    method = "measured on the local emulator (moto + in-process Lambdas), offline provider"
    chain_note = {
        "turns": chain["turns"],
        "executions": chain["executions"],
        "history_events_per_execution": chain["events"],
        "max_history_events_option": CHAIN_CAP,
        "chain_run_seconds": round(chain["s"], 1),
        "method": f"{method}; scripted model, 2 tool calls per turn",
    }
    return {
        "offload_2mb_tool_result_ms": {"value": large["ms"], "unit": "ms", "method": method},
        "max_state_bytes_2mb_run": {
            "value": large["max_state_bytes"],
            "unit": "bytes",
            "limit": 262_144,
            "method": f"{method}; largest input/output/parameters/result in the execution history",
        },
        "chain_turns_per_execution": {
            "value": round(chain["turns"] / chain["executions"], 1),
            "unit": "turns",
            **chain_note,
        },
        "chain_max_history_events": {"value": max(chain["events"]), "unit": "events", **chain_note},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
