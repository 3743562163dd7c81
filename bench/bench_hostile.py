"""The registrar against hostile manifests (issue 12): worst-case time and peak memory, corpus-wide.

The corpus is ``tests/control_plane/test_hostile_corpus.py``: deep, wide, recursive and exponential
``$ref``, huge enums, long strings, unicode, compression bombs, oversized and over-counted tags.

``registrar_worst_case_ms`` (goal ≤ 250 ms): every case is a tool function on the local emulator;
``Registrar.sync`` runs on it (re-read, judge, registry read, plan, publish version, write, publish
events) with the content caches cleared first, so each judgement is cold. Each case runs
``REPEATS`` times (as new functions, each round on fresh tables); the figure is the slowest case's
median sync time *without the write phase*: that phase is moto's ``TransactWriteItems``, which
deep-copies the whole table once per item of the transaction (``bench_registrar``'s
``registrar_write_ms_p50``; on AWS one round trip), so it measures the emulator, not the content.
``by_case`` gives each case's median total, judge (``validate``) and write times.

``registrar_peak_mb`` (goal ≤ 64 MB above the idle process): a fresh subprocess loads the corpus's
tags (built in the parent, so building the bombs costs the child nothing), warms up on a small valid
manifest, resets the kernel's peak-RSS mark (``/proc/self/clear_refs``) and reads its RSS (idle),
then judges every case in turn with ``interpret`` (the registrar's whole content path: decode,
limits, validation, provider translations, storability; the content caches keep what they keep)
and reads the peak RSS (``VmHWM``). The figure is the difference; ``traced_peak_mb`` is
tracemalloc's peak of Python allocations over the same run (measured afterwards: tracing inflates
RSS).

A case whose verdict differs from the corpus's expectation, or that makes the registrar raise,
fails the benchmark (no figure is written).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3
GOAL_MS = 250.0
GOAL_MB = 64.0


def _clear_caches() -> None:
    import llm_gateway.schemas as schemas
    from tool_sdk import metaschema

    metaschema._problems_cache.clear()
    schemas._translations.clear()


def _timings() -> dict[str, dict[str, float]]:
    from control_plane.config import ControlPlaneConfig
    from control_plane.registrar.sync import Registrar
    from control_plane.registry.table import create_tables
    from local.emulator import LocalAws
    from local.testing import build_zip, ensure_lambda_role
    from tests.control_plane.helpers import RecordingPublisher
    from tests.control_plane.test_hostile_corpus import hostile_corpus, renamed

    cases = hostile_corpus()
    samples: dict[str, list[tuple[float, float, float]]] = {c.label: [] for c in cases}
    with LocalAws() as aws:
        lambda_ = aws.client("lambda")
        role = ensure_lambda_role(aws)
        code = build_zip({"app.py": "def handler(e, c):\n    return e\n"})
        for repeat in range(REPEATS + 1):  # the first round warms clients and imports
            config = ControlPlaneConfig(env=f"bench{repeat}", release_grace_seconds=0)
            create_tables(aws.client("dynamodb"), config.env)
            registrar = Registrar(
                config,
                lambda_client=lambda_,
                dynamodb_client=aws.client("dynamodb"),
                publisher=RecordingPublisher(),
            )
            for i, case in enumerate(cases):
                name = f"tool-h{i}-{config.env}"
                tags = renamed(case.tags, f"hostile_{i}") if case.verdict == "serving" else case.tags
                lambda_.create_function(
                    FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                    Code={"ZipFile": code}, Tags=tags,
                )  # fmt: skip
                _clear_caches()
                started = time.perf_counter()
                result = registrar.sync(name, trigger="bench")
                total = (time.perf_counter() - started) * 1e3
                expected = "registered" if case.verdict == "serving" else "rejected"
                if result.outcome != expected:
                    raise AssertionError(
                        f"{case.label}: {result.outcome} (expected {expected}): {result.reasons}"
                    )
                if repeat:
                    phases = result.timings_ms
                    samples[case.label].append((total, phases.get("validate", 0.0), phases.get("write", 0.0)))
    return {
        label: {
            "total_ms": round(statistics.median(t for t, _, _ in runs), 2),
            "judge_ms": round(statistics.median(v for _, v, _ in runs), 2),
            "write_ms": round(statistics.median(w for _, _, w in runs), 2),
            "without_write_ms": round(statistics.median(t - w for t, _, w in runs), 2),
        }
        for label, runs in samples.items()
    }


def _memory() -> dict[str, float]:
    from tests.control_plane.test_hostile_corpus import hostile_corpus

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.json"
        corpus.write_text(json.dumps([[c.label, c.tags, c.verdict] for c in hostile_corpus()]))
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_hostile", "--memory-probe", str(corpus)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    if out.returncode != 0:
        raise RuntimeError(f"memory probe failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory_probe(corpus_path: str) -> dict[str, float]:
    """Run in a fresh process: idle peak RSS, then the corpus judged, then the peak again (MB)."""
    import gc
    import tracemalloc

    from control_plane.config import ControlPlaneConfig
    from control_plane.registrar.observe import FunctionSnapshot, interpret
    from control_plane.registrar.sync import register_gateway_schema_checkers
    from tool_sdk import ToolManifest, encode_manifest_tags

    cases = json.loads(Path(corpus_path).read_text())
    register_gateway_schema_checkers()
    config = ControlPlaneConfig(env="bench", release_grace_seconds=0)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:tool-probe-bench"

    def judge(tags: dict[str, str]) -> str:
        snapshot = FunctionSnapshot("tool-probe-bench", True, arn, "code", tags=tags)
        return interpret(snapshot, config, "2026-01-01T00:00:00.000000Z").kind

    warm = ToolManifest.model_validate(
        {"name": "warm", "version": "1.0.0", "description": "Warm-up.", "input_schema": {"type": "object"}}
    )
    assert judge(encode_manifest_tags(warm)) == "serving"
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # the peak-RSS mark := the current RSS
    idle = _status_mb("VmRSS")
    for label, tags, verdict in cases:
        kind = judge(tags)
        if kind != verdict:
            raise AssertionError(f"{label}: {kind} (expected {verdict})")
    peak = _status_mb("VmHWM")
    _clear_caches()
    tracemalloc.start()
    traced = 0.0
    for _label, tags, _verdict in cases:
        tracemalloc.reset_peak()
        judge(tags)
        traced = max(traced, tracemalloc.get_traced_memory()[1] / 2**20)
    tracemalloc.stop()
    return {"idle_mb": round(idle, 1), "peak_mb": round(peak, 1), "traced_peak_mb": round(traced, 2)}


def _status_mb(field: str) -> float:
    """``VmRSS``/``VmHWM`` of this process from /proc/self/status, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status (the memory probe needs Linux)")


def run() -> dict[str, dict]:
    by_case = _timings()
    worst = max(by_case, key=lambda label: by_case[label]["without_write_ms"])
    memory = _memory()
    return {
        "registrar_worst_case_ms": {
            "value": by_case[worst]["without_write_ms"],
            "unit": "ms",
            "goal": GOAL_MS,
            "case": worst,
            "worst_judge_ms": max(c["judge_ms"] for c in by_case.values()),
            "worst_total_with_emulator_write_ms": max(c["total_ms"] for c in by_case.values()),
            "by_case": by_case,
            "repeats": REPEATS,
            "note": "Registrar.sync per hostile function, cold content caches, without moto's write phase",
        },
        "registrar_peak_mb": {
            "value": round(memory["peak_mb"] - memory["idle_mb"], 1),
            "unit": "MB",
            "goal": GOAL_MB,
            "idle_mb": memory["idle_mb"],
            "peak_rss_mb": memory["peak_mb"],
            "traced_peak_mb": memory["traced_peak_mb"],
            "cases": len(by_case),
            "note": "peak RSS growth over the idle process while interpret() judges the whole corpus",
        },
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-probe":
        print(json.dumps(memory_probe(sys.argv[2])))
    else:
        print(json.dumps(run(), indent=2))
