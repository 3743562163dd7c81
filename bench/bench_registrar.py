"""Registrar on the local emulator: registrations per second and the per-event cost split.

``N_TOOLS`` distinct tool functions are created with manifest tags (plain boto3 calls), then each
one's CloudTrail-shaped CreateFunction event goes through the registrar handler's code path
(``handle``: re-read → validate → registry read → plan → conditional transaction → PutEvents to the
registry bus). Each tool has its own input schema, so validation is cold (no memo hits), as for a
tool the registrar has not seen. Then every event is replayed (duplicates: re-read + registry read,
no write) and one reconciler pass runs over all functions.

Figures are raw medians/rates from this machine's emulator (HTTP to moto's server on 127.0.0.1):
they measure the registrar's own work plus the emulator's, not AWS latency. The write phase is
dominated by moto: its TransactWriteItems deep-copies the whole table (stream records included)
once per item in the transaction, so write cost grows with the table; ``registrar_write_ms_p50``
reports the first and last ten registrations as raw numbers to show it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import percentile
from control_plane.config import ControlPlaneConfig
from control_plane.reconciler import Reconciler
from control_plane.registrar import handler as registrar_handler
from control_plane.registrar.handler import handle
from control_plane.registrar.sync import Registrar
from control_plane.registrar.trigger import cloudtrail_event
from control_plane.registry.table import create_tables
from tool_sdk import ToolManifest, encode_manifest_tags

N_TOOLS = 60
ENV = "bench"
PHASES = ("reread", "validate", "registry_read", "plan", "write", "publish")


def _manifest(i: int) -> ToolManifest:
    props = {f"arg_{i}_{j}": {"type": "string", "description": f"argument {j} of tool {i}"} for j in range(8)}
    return ToolManifest.model_validate(
        {
            "name": f"bench_tool_{i}",
            "version": f"1.{i}.0",
            "description": f"Benchmark tool {i}.",
            "input_schema": {"type": "object", "properties": props, "required": [f"arg_{i}_0"]},
            "language": "python",
            "tags": ["bench", f"group{i % 5}"],
        }
    )


def _p50(results: list, phase: str) -> float:
    return round(percentile([r.timings_ms[phase] for r in results], 50), 3)


def run() -> dict[str, dict]:
    from local.emulator import LocalAws
    from local.testing import build_zip, ensure_lambda_role

    registrar_handler.logger.setLevel("WARNING")  # one INFO line per event would flood the output
    with LocalAws() as aws:
        create_tables(aws.client("dynamodb"), ENV)
        config = ControlPlaneConfig(env=ENV)
        aws.client("events").create_event_bus(Name=config.bus_name)
        lambda_ = aws.client("lambda")
        role = ensure_lambda_role(aws)
        events = []
        for i in range(N_TOOLS):
            created = lambda_.create_function(
                FunctionName=f"tool-b{i}-{ENV}",  # the registrar's default scope: tool-<id>-{env}
                Runtime="python3.12",
                Role=role,
                Handler="app.handler",
                Code={"ZipFile": build_zip({"app.py": f"def handler(e, c):\n    return {i}\n"})},
                Tags=encode_manifest_tags(_manifest(i)),
            )
            events.append(cloudtrail_event("CreateFunction", created["FunctionArn"]))
        registrar = Registrar(
            config,
            lambda_client=aws.client("lambda"),
            dynamodb_client=aws.client("dynamodb"),
            events_client=aws.client("events"),
        )
        registrar.sync(f"tool-b0-{ENV}")  # warm the clients and the import of every module

        started = time.perf_counter()
        names = [e["detail"]["requestParameters"]["functionName"] for e in events]
        results = [registrar.sync(name, trigger="bench") for name in names[1:]]
        elapsed = time.perf_counter() - started
        assert all(r.outcome == "registered" for r in results), {r.outcome for r in results}

        started = time.perf_counter()
        outcomes = [handle(e, registrar)["outcome"] for e in events]
        replay_elapsed = time.perf_counter() - started
        assert set(outcomes) == {"noop"}, set(outcomes)
        replays = [registrar.sync(name) for name in names[:20]]

        tagging = aws.client("resourcegroupstaggingapi")
        started = time.perf_counter()
        report = Reconciler(registrar, tagging).run()
        reconcile_elapsed = time.perf_counter() - started
        assert report.checked == N_TOOLS and report.repaired == 0, report.as_dict()

    n = len(results)
    figures: dict[str, dict] = {
        "registrar_registrations_per_s": {
            "value": round(n / elapsed, 1),
            "unit": "registrations/s",
            "registrations": n,
            "seconds": round(elapsed, 3),
            "note": "sequential, one registrar, emulator over HTTP on 127.0.0.1",
        },
        "registrar_event_ms_p50": {
            "value": round(percentile([sum(r.timings_ms.values()) for r in results], 50), 3),
            "unit": "ms",
            "p95": round(percentile([sum(r.timings_ms.values()) for r in results], 95), 3),
        },
        "registrar_duplicate_event_ms_p50": {
            "value": round(percentile([sum(r.timings_ms.values()) for r in replays], 50), 3),
            "unit": "ms",
            "baseline": "registrar_event_ms_p50",
            "replays_per_s": round(len(events) / replay_elapsed, 1),
        },
        "reconciler_ms_per_function": {
            "value": round(reconcile_elapsed * 1e3 / report.checked, 3),
            "unit": "ms",
            "functions": report.checked,
            "pass_ms": round(reconcile_elapsed * 1e3, 1),
        },
    }
    for phase in PHASES:
        figures[f"registrar_{phase}_ms_p50"] = {
            "value": _p50(results, phase),
            "unit": "ms",
            "p95": round(percentile([r.timings_ms[phase] for r in results], 95), 3),
        }
    figures["registrar_write_ms_p50"].update(
        first10_p50=_p50(results[:10], "write"),
        last10_p50=_p50(results[-10:], "write"),
        items_per_transaction=results[0].writes,
    )
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
