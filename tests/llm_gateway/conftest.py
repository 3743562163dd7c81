"""Fixtures: fake provider servers and gateways wired to them. No test reaches a real API: every
SDK's own base-URL variable points at a closed local port unless a test configures a fake."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any

import pytest

from llm_gateway.config import GatewayConfig, RetryPolicy
from llm_gateway.gateway import Gateway
from llm_gateway.observability import Telemetry
from llm_gateway.secrets import KeyStore
from tests.llm_gateway.fakes import FakeServer

FAKE_KEYS = {
    "ANTHROPIC_API_KEY": "sk-ant-test-0123456789",
    "OPENAI_API_KEY": "sk-test-openai-0123456789",
    "GEMINI_API_KEY": "AIzaFakeGeminiKey0123456789",
}
_CLOSED = "http://127.0.0.1:9"
_SAFETY_ENV = {
    "ANTHROPIC_BASE_URL": _CLOSED,
    "OPENAI_BASE_URL": _CLOSED + "/v1",
    "GOOGLE_GEMINI_BASE_URL": _CLOSED,
    "AWS_ENDPOINT_URL": _CLOSED,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


@pytest.fixture(autouse=True)
def _no_real_apis(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("real_llm"):
        return
    for name in [*FAKE_KEYS, "GOOGLE_API_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]:
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("SFA_")]:
        monkeypatch.delenv(name, raising=False)
    for name, value in _SAFETY_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


@pytest.fixture
def second_server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


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
