"""The benchmark still runs (tiny sizes), and tracing annotates provider calls inside Lambda."""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from llm_gateway.observability import Telemetry
from tests.llm_gateway.fakes import FakeServer
from tests.llm_gateway.fakes.wire import anthropic_reply
from tests.llm_gateway.harness import make_harness


def test_benchmark_measures_both_sides() -> None:
    path = Path(__file__).resolve().parents[2] / "bench" / "bench_gateway.py"
    spec = importlib.util.spec_from_file_location("bench_gateway_under_test", path)
    assert spec and spec.loader
    bench_gateway = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_gateway)
    with bench_gateway._local_server() as url:
        figures = bench_gateway.measure_overhead("anthropic", url, 5)
    assert set(figures) == {"gateway_p50", "gateway_p95", "direct_p50", "direct_p95"}
    assert all(value > 0 for value in figures.values())


class _Segment:
    def __init__(self) -> None:
        self.annotations: dict[str, str] = {}

    def put_annotation(self, key: str, value: str) -> None:
        self.annotations[key] = value


class _Provider:
    def __init__(self) -> None:
        self.segments: list[tuple[str, _Segment]] = []

    @contextmanager
    def in_subsegment(self, name: str) -> Any:
        segment = _Segment()
        self.segments.append((name, segment))
        yield segment


def test_provider_calls_run_in_annotated_subsegments(server: FakeServer) -> None:
    server.push(anthropic_reply("hi"))
    h = make_harness({"anthropic": server.url})
    tracer = type("FakeTracer", (), {"provider": _Provider()})()
    h.gateway.telemetry._tracer, h.gateway.telemetry._tracer_checked = tracer, True
    h.complete(model="anthropic:claude-x")
    [(name, segment)] = tracer.provider.segments
    assert name == "## llm anthropic" and segment.annotations == {
        "provider": "anthropic",
        "model": "claude-x",
    }


def test_tracer_only_inside_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert Telemetry(lambda _doc: None).tracer() is None
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "sfa-llm-gateway-dev")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert Telemetry(lambda _doc: None).tracer() is None
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    tracer = Telemetry(lambda _doc: None).tracer()
    assert type(tracer).__name__ == "Tracer"
