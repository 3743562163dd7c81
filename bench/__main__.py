"""Run benchmarks and merge their figures into ``bench/results.json``.

``python -m bench`` runs every ``bench/bench_*.py``; ``--only NAME`` runs ``bench/bench_NAME.py``.
Figure names are a stable contract (later issues name the figures they add); each figure is
``{"value": float, "unit": str, "baseline"?: ...}`` plus any raw numbers the benchmark reports.
Figures of benchmarks not run this time are kept from the previous results.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.json"


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", help="benchmark name (repeatable)", default=[])
    args = parser.parse_args(argv)
    names = args.only or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    figures: dict = dict(previous.get("figures", {}))
    failed = []
    for name in names:
        print(f"== bench_{name}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            produced = module.run()
        except Exception as exc:  # one failing benchmark must not hide the others' figures
            failed.append(name)
            print(f"   FAILED: {type(exc).__name__}: {exc}", flush=True)
            continue
        for figure, body in sorted(produced.items()):
            body = {**body, "benchmark": name}
            figures[figure] = body
            print(f"   {figure} = {body['value']} {body['unit']}", flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "figures": dict(sorted(figures.items())),
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(BENCH_DIR.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
