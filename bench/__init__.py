"""Benchmarks: each ``bench/bench_<name>.py`` exposes ``run() -> {figure: {"value", "unit", ...}}``."""
