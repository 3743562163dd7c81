"""Fixtures: fake provider servers and gateways wired to them. No test reaches a real API: every
SDK's own base-URL variable points at a closed local port unless a test configures a fake."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.llm_gateway.fakes import FakeServer
from tests.llm_gateway.harness import FAKE_KEYS

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
