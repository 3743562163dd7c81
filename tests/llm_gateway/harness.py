"""Gateways wired to fake servers, with what they did (sleeps requested, EMF documents)."""

from __future__ import annotations

import random
from typing import Any

from llm_gateway.config import GatewayConfig, RetryPolicy
from llm_gateway.gateway import Gateway
from llm_gateway.observability import Telemetry
from llm_gateway.secrets import KeyStore

__all__ = ["FAKE_KEYS", "Harness", "make_harness"]

FAKE_KEYS = {
    "ANTHROPIC_API_KEY": "sk-ant-test-0123456789",
    "OPENAI_API_KEY": "sk-test-openai-0123456789",
    "GEMINI_API_KEY": "AIzaFakeGeminiKey0123456789",
}


class Harness:
    """A gateway plus what it did: sleeps requested and EMF documents emitted."""

    def __init__(self, gateway: Gateway, sleeps: list[float], metrics: list[dict[str, Any]]):
        self.gateway = gateway
        self.sleeps = sleeps
        self.metrics = metrics

    def complete(self, **request: Any) -> Any:
        request.setdefault("messages", [{"role": "user", "content": "hello"}])
        return self.gateway.complete(request)

    def metric_values(self, name: str) -> list[tuple[str, str, float]]:
        return [(m["provider"], m["model"], m[name]) for m in self.metrics]


def make_harness(
    base_urls: dict[str, str] | None = None,
    *,
    keys: dict[str, str] | None = None,
    aliases: dict[str, str] | None = None,
    timeout_s: float = 5.0,
    max_attempts: int = 3,
    secret: dict[str, Any] | Exception | None = None,
    providers: dict[str, Any] | None = None,
) -> Harness:
    sleeps: list[float] = []
    metrics: list[dict[str, Any]] = []

    def fetch(_name: str) -> dict[str, Any]:
        if isinstance(secret, Exception):
            raise secret
        return secret or {}

    config = GatewayConfig(
        aliases={"offline": "offline:default", **(aliases or {})},
        timeout_s=timeout_s,
        retry=RetryPolicy(max_attempts=max_attempts, base_delay_s=0.001, max_delay_s=0.004),
        base_urls=base_urls or {},
        bedrock_region="us-east-1",
    )
    store = KeyStore(config.llm_secret_name, environ=FAKE_KEYS if keys is None else keys, fetch=fetch)
    gateway = Gateway(
        config,
        keys=store,
        providers=providers,
        telemetry=Telemetry(metrics.append),
        sleep=sleeps.append,
        rng=random.Random(7),
    )
    return Harness(gateway, sleeps, metrics)
