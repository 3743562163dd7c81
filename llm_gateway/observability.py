"""Logging, tracing and EMF metrics of the gateway (Powertools).

Metrics: one EMF document per model attempted in a request, namespace ``SfnAgents/LLMGateway``
(``POWERTOOLS_METRICS_NAMESPACE`` overrides), dimensions ``provider`` and ``model``: ``Latency``
(ms), ``InputTokens``, ``OutputTokens``, ``Errors``, ``Retries``, ``FallbacksUsed``. Logs carry
sizes, ids and outcomes, never message text or keys. The X-Ray tracer is created on first use and
only inside Lambda (importing it costs ~0.25 s, which a cold import should not pay up front).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from aws_lambda_powertools import Logger

__all__ = ["NAMESPACE", "SERVICE", "Telemetry", "logger"]

SERVICE = "llm-gateway"
NAMESPACE = "SfnAgents/LLMGateway"
logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE))

MetricsSink = Callable[[dict[str, Any]], None]


def _print_emf(document: dict[str, Any]) -> None:
    print(json.dumps(document, separators=(",", ":")))


class Telemetry:
    """Records one attempt per model; ``sink`` receives each EMF document (default: stdout, which
    CloudWatch turns into metrics inside Lambda)."""

    def __init__(self, sink: MetricsSink | None = None, *, namespace: str | None = None) -> None:
        self._sink = sink or _print_emf
        self._namespace = namespace or os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE)
        self._tracer: Any = None
        self._tracer_checked = False
        self._disabled = os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() in ("1", "true")

    def record(
        self,
        provider: str,
        model: str,
        *,
        latency_ms: float,
        input_tokens: int = 0,
        output_tokens: int = 0,
        error: str | None = None,
        retries: int = 0,
        fallback: bool = False,
    ) -> None:
        if self._disabled:
            return
        from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
            AmazonCloudWatchEMFProvider,
        )

        emf = AmazonCloudWatchEMFProvider(namespace=self._namespace, service=SERVICE)
        emf.add_dimension("provider", provider)
        emf.add_dimension("model", model)
        emf.add_metric("Latency", "Milliseconds", latency_ms)
        emf.add_metric("InputTokens", "Count", input_tokens)
        emf.add_metric("OutputTokens", "Count", output_tokens)
        emf.add_metric("Errors", "Count", 1 if error else 0)
        emf.add_metric("Retries", "Count", retries)
        emf.add_metric("FallbacksUsed", "Count", 1 if fallback and not error else 0)
        if error:
            emf.add_metadata("errorType", error)
        self._sink(emf.serialize_metric_set())

    def tracer(self) -> Any:
        """The Powertools Tracer inside Lambda (tracing not disabled), else None."""
        if not self._tracer_checked:
            self._tracer_checked = True
            in_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
            disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true")
            if in_lambda and not disabled:
                from aws_lambda_powertools import Tracer

                self._tracer = Tracer(service=SERVICE)
        return self._tracer

    @contextmanager
    def span(self, name: str, **annotations: str) -> Iterator[None]:
        tracer = self.tracer()
        cm = tracer.provider.in_subsegment(name) if tracer else nullcontext()
        with cm as segment:
            if segment is not None:
                for key, value in annotations.items():
                    segment.put_annotation(key, value)
            yield
