"""The Lambda handler: normalized dict in, normalized dict out, gateway error classes raised."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from llm_gateway import handler as handler_module
from llm_gateway.config import GatewayConfig
from llm_gateway.errors import (
    AuthenticationFailed,
    ContextWindowExceeded,
    GatewayError,
    InvalidRequest,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from llm_gateway.gateway import Gateway
from tests.llm_gateway.fakes import FakeServer
from tests.llm_gateway.fakes.wire import anthropic_error, anthropic_reply
from tests.llm_gateway.harness import make_harness


@pytest.fixture
def installed(server: FakeServer) -> Any:
    h = make_harness({"anthropic": server.url}, max_attempts=1)
    handler_module.set_gateway(h.gateway)
    yield h
    handler_module.set_gateway(None)


def _context(ms: int = 60_000) -> Any:
    return SimpleNamespace(aws_request_id="req-1", get_remaining_time_in_millis=lambda: ms)


def test_handler_returns_the_normalized_response(installed: Any, server: FakeServer) -> None:
    server.push(anthropic_reply("hi", [("toolu_1", "f", {"a": 1})]))
    event = {
        "model": "anthropic:c",
        "messages": [{"role": "user", "content": "x"}],
        "tools": [
            {"name": "f", "input_schema": {"type": "object", "properties": {"a": {"type": "integer"}}}}
        ],
    }
    out = handler_module.handler(event, _context())
    assert json.loads(json.dumps(out)) == out
    assert out["message"] == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "hi"},
            {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}},
        ],
    }
    assert out["stop_reason"] == "tool_use"
    assert out["tool_calls"] == [{"id": "toolu_1", "name": "f", "input": {"a": 1}}]
    assert out["usage"] == {"input_tokens": 11, "output_tokens": 7}
    assert (out["provider"], out["model"]) == ("anthropic", "c") and out["latency_ms"] > 0


@pytest.mark.parametrize(
    ("status", "kind", "expected"),
    [
        (429, "rate_limit_error", RateLimited),
        (504, "api_error", ProviderUnavailable),
        (400, "invalid_request_error", InvalidRequest),
        (401, "authentication_error", AuthenticationFailed),
        (413, "request_too_large", ContextWindowExceeded),
    ],
)
def test_handler_raises_the_error_class_step_functions_matches(
    installed: Any, server: FakeServer, status: int, kind: str, expected: type[GatewayError]
) -> None:
    server.push(anthropic_error(status, kind, "nope"))
    with pytest.raises(expected) as info:
        handler_module.handler(
            {"model": "anthropic:c", "messages": [{"role": "user", "content": "x"}]}, _context()
        )
    assert type(info.value).__name__ == expected.__name__  # Lambda's errorType


def test_handler_timeout_class(installed: Any, server: FakeServer) -> None:
    installed.gateway.config = GatewayConfig(
        timeout_s=0.2, retry=installed.gateway.config.retry, base_urls={"anthropic": server.url}
    )
    reply = anthropic_reply("late")
    reply.delay_s = 1.0
    server.push(reply)
    with pytest.raises(ProviderTimeout):
        handler_module.handler(
            {"model": "anthropic:c", "messages": [{"role": "user", "content": "x"}]}, _context()
        )


def test_handler_import_loads_no_provider_sdk() -> None:
    code = (
        "import sys, llm_gateway.handler as h; "
        "loaded = [m for m in ('anthropic', 'openai', 'google.genai', 'aws_xray_sdk') if m in sys.modules]; "
        "print(loaded)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_provider_sdk_is_imported_on_first_use_only() -> None:
    code = (
        "import sys; from llm_gateway.handler import handler, set_gateway; "
        "from llm_gateway.gateway import Gateway; "
        "out = handler({'model': 'offline', 'messages': [{'role': 'user', 'content': 'hi'}]}); "
        "sdks = ('anthropic', 'openai', 'google.genai', 'boto3'); "
        "print([m for m in sdks if m in sys.modules], out['provider'])"
    )
    env = {"PATH": "/usr/bin:/bin", "POWERTOOLS_METRICS_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.strip().splitlines()[-1] == "[] offline"


def test_default_gateway_is_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SFA_LLM_ALIASES", json.dumps({"demo": "offline:default"}))
    handler_module.set_gateway(None)
    try:
        out = handler_module.handler({"model": "demo", "messages": [{"role": "user", "content": "hello"}]})
        assert out["provider"] == "offline"
        assert isinstance(handler_module.get_gateway(), Gateway)
    finally:
        handler_module.set_gateway(None)
