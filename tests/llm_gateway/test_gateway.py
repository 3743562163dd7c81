"""The gateway around the providers: aliases, keys, fallbacks, metrics, logs and the Lambda handler."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

import llm_gateway.errors as errors_module
from llm_gateway.config import GatewayConfig
from llm_gateway.errors import (
    AuthenticationFailed,
    GatewayError,
    InvalidRequest,
    ProviderUnavailable,
    RateLimited,
)
from llm_gateway.observability import Telemetry
from tests.llm_gateway.fakes import FakeServer
from tests.llm_gateway.fakes.wire import anthropic_error, anthropic_reply, bedrock_reply, openai_reply
from tests.llm_gateway.harness import FAKE_KEYS, make_harness
from tool_sdk.errors import SfaError

ERROR_NAMES = [
    "RateLimited",
    "ProviderTimeout",
    "ProviderUnavailable",
    "InvalidRequest",
    "AuthenticationFailed",
    "ContextWindowExceeded",
    "ProviderIncompatible",
    "PlatformCallFailed",
    "ToolNotAllowed",
    "CallerNotAllowed",
]


def test_error_classes_are_the_stable_contract() -> None:
    retryable = {"RateLimited", "ProviderTimeout", "ProviderUnavailable"}
    for name in ERROR_NAMES:
        cls = getattr(errors_module, name)
        assert cls.__name__ == name and issubclass(cls, GatewayError) and issubclass(cls, SfaError)
        assert cls.retryable is (name in retryable)
        assert cls.__doc__ and "Raised" in cls.__doc__


def test_alias_resolution(server: FakeServer) -> None:
    server.push(anthropic_reply("fast answer"))
    h = make_harness(
        {"anthropic": server.url}, aliases={"fast": "anthropic:claude-haiku-4-5", "default": "fast"}
    )
    response = h.complete(model="default")
    assert (response.provider, response.model) == ("anthropic", "claude-haiku-4-5")
    assert server.requests[0].body["model"] == "claude-haiku-4-5"


def test_aliases_from_environment() -> None:
    config = GatewayConfig.from_env(
        {"SFA_LLM_ALIASES": json.dumps({"fast": "anthropic:claude-haiku-4-5"}), "SFA_ENV": "prod"}
    )
    assert config.resolve("fast") == ("anthropic", "claude-haiku-4-5")
    assert config.resolve("offline") == ("offline", "default")
    assert config.llm_secret_name == "/ai-agent/llm-secrets/prod"
    with pytest.raises(ValueError, match="SFA_LLM_ALIASES"):
        GatewayConfig.from_env({"SFA_LLM_ALIASES": "[1]"})


def test_environment_endpoints_and_policy() -> None:
    config = GatewayConfig.from_env(
        {
            "SFA_ANTHROPIC_BASE_URL": "http://a",
            "SFA_OPENAI_BASE_URL": "http://o/v1",
            "SFA_GEMINI_BASE_URL": "http://g",
            "SFA_BEDROCK_ENDPOINT_URL": "http://b",
            "SFA_LLM_TIMEOUT_S": "7.5",
            "SFA_LLM_MAX_ATTEMPTS": "5",
        }
    )
    assert config.base_urls == {
        "anthropic": "http://a",
        "openai": "http://o/v1",
        "gemini": "http://g",
        "bedrock": "http://b",
    }
    assert config.timeout_s == 7.5 and config.retry.max_attempts == 5


@pytest.mark.parametrize(
    ("model", "aliases", "message"),
    [
        ("nope", {}, "neither 'provider:model' nor a configured alias"),
        ("a", {"a": "b", "b": "a"}, "alias cycle: a -> b -> a"),
        ("mystery:model", {}, "unknown provider 'mystery'"),
    ],
)
def test_bad_models_are_invalid_requests(model: str, aliases: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        make_harness(aliases=aliases).complete(model=model)


def test_bedrock_model_ids_keep_their_colons(server: FakeServer) -> None:
    server.push(bedrock_reply("hi"))
    response = make_harness({"bedrock": server.url}).complete(
        model="bedrock:anthropic.claude-3-haiku-20240307-v1:0"
    )
    assert response.model == "anthropic.claude-3-haiku-20240307-v1:0"
    assert server.requests[0].path == "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"


@pytest.mark.parametrize(
    "request_",
    [
        {"model": "offline", "messages": []},
        {"model": "offline", "messages": [{"role": "system", "content": "x"}]},
        {"model": "offline", "messages": [{"role": "user", "content": "x"}], "max_token": 5},
        {
            "model": "offline",
            "messages": [
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
                },
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t2", "content": "x"}]},
            ],
        },
        {
            "model": "offline",
            "messages": [
                {"role": "user", "content": "go"},
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
                },
                {"role": "user", "content": "no result given"},
            ],
        },
    ],
)
def test_malformed_requests_fail_before_any_provider(request_: dict[str, Any]) -> None:
    h = make_harness()
    with pytest.raises(InvalidRequest, match="invalid gateway request"):
        h.gateway.complete(request_)
    assert h.metrics == []


def test_null_tools_and_fallbacks_mean_none() -> None:
    response = make_harness().gateway.complete(
        {
            "model": "offline",
            "messages": [{"role": "user", "content": "hi"}],
            "tools": None,
            "fallbacks": None,
        }
    )
    assert response.provider == "offline"


def test_missing_key_names_the_key_and_where_to_put_it(server: FakeServer) -> None:
    h = make_harness({"openai": server.url + "/v1"}, keys={})
    with pytest.raises(AuthenticationFailed) as info:
        h.complete(model="openai:gpt-x")
    text = str(info.value)
    assert "OPENAI_API_KEY" in text and "/ai-agent/llm-secrets/dev" in text and "Secrets Manager" in text
    assert server.requests == []


def test_gemini_accepts_either_key_name(server: FakeServer) -> None:
    from tests.llm_gateway.fakes.wire import gemini_reply

    server.push(gemini_reply("ok"))
    h = make_harness({"gemini": server.url}, keys={"GOOGLE_API_KEY": "AIzaGoogleKeyName0123456"})
    h.complete(model="gemini:g")
    assert server.requests[0].header("x-goog-api-key") == "AIzaGoogleKeyName0123456"


def test_key_from_secrets_manager_and_environment_override(server: FakeServer) -> None:
    server.push(anthropic_reply("a"), anthropic_reply("b"))
    secret = {"ANTHROPIC_API_KEY": "sk-ant-from-the-secret-1"}
    make_harness({"anthropic": server.url}, keys={}, secret=secret).complete(model="anthropic:c")
    make_harness(
        {"anthropic": server.url}, keys={"ANTHROPIC_API_KEY": "sk-ant-from-env-2"}, secret=secret
    ).complete(model="anthropic:c")
    assert [r.header("authorization") for r in server.requests] == [
        "Bearer sk-ant-from-the-secret-1",
        "Bearer sk-ant-from-env-2",
    ]


def test_unreadable_secret_is_explained_without_values() -> None:
    h = make_harness(keys={}, secret=PermissionError("AccessDenied for sk-ant-should-not-leak"))
    with pytest.raises(AuthenticationFailed) as info:
        h.complete(model="anthropic:c")
    assert "reading the secret failed: PermissionError" in str(info.value)
    assert "should-not-leak" not in str(info.value)


def test_missing_key_falls_back_to_the_offline_provider() -> None:
    response = make_harness(keys={}).complete(model="anthropic:c", fallbacks=["offline:default"])
    assert response.provider == "offline"
    assert "not a language model" in response.message.text()


def test_when_all_fail_the_primary_error_is_raised_with_a_summary(
    server: FakeServer, second_server: FakeServer
) -> None:
    server.push(*[anthropic_error(429, "rate_limit_error", "slow down")] * 3)
    second_server.push(openai_reply("x"))
    h = make_harness(
        {"anthropic": server.url, "openai": second_server.url + "/v1"},
        keys={"ANTHROPIC_API_KEY": "sk-ant-k1234567"},
    )
    with pytest.raises(RateLimited) as info:
        h.complete(model="anthropic:c", fallbacks=["openai:o"])
    assert "fallbacks also failed: openai:o -> AuthenticationFailed" in str(info.value)
    assert [type(e).__name__ for e in info.value.attempts] == ["RateLimited", "AuthenticationFailed"]
    assert second_server.requests == []


def test_long_retry_after_skips_waiting_and_falls_back(server: FakeServer) -> None:
    server.push(anthropic_error(429, "rate_limit_error", "later", {"retry-after": "3600"}))
    h = make_harness({"anthropic": server.url})
    response = h.complete(model="anthropic:c", fallbacks=["offline"])
    assert response.provider == "offline" and h.sleeps == [] and len(server.requests) == 1


def test_deadline_stops_retries(server: FakeServer) -> None:
    server.push(*[anthropic_error(500, "api_error", "boom")] * 3)
    h = make_harness({"anthropic": server.url})
    with pytest.raises(ProviderUnavailable):
        h.gateway.complete(
            {"model": "anthropic:c", "messages": [{"role": "user", "content": "x"}]},
            deadline=time.monotonic(),
        )
    assert len(server.requests) == 1 and h.sleeps == []


def test_emf_metrics_and_logs_carry_no_content_or_keys(
    server: FakeServer, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    server.push(anthropic_error(503, "overloaded_error", "busy"), anthropic_reply("SECRET-ANSWER-42"))
    config = make_harness({"anthropic": server.url}).gateway.config
    gateway = make_harness({"anthropic": server.url}).gateway
    gateway.telemetry = Telemetry()  # the real sink: stdout, as in Lambda
    gateway.config = config
    gateway.complete(
        {"model": "anthropic:claude-x", "messages": [{"role": "user", "content": "SECRET-PROMPT-7"}]}
    )
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    emf = [line for line in lines if "_aws" in line]
    assert len(emf) == 1
    doc = emf[0]
    directive = doc["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "SfnAgents/LLMGateway"
    assert directive["Dimensions"][0][:2] == ["provider", "model"]
    assert {m["Name"] for m in directive["Metrics"]} == {
        "Latency", "InputTokens", "OutputTokens", "Errors", "Retries", "FallbacksUsed"
    }  # fmt: skip
    assert (doc["provider"], doc["model"], doc["Retries"], doc["InputTokens"]) == (
        "anthropic",
        "claude-x",
        [1.0],
        [11.0],
    )
    records = [r for r in caplog.records if r.name == "llm-gateway"]
    assert [r.getMessage() for r in records] == ["retrying llm call", "llm call"]
    assert records[1].__dict__["stop_reason"] == "end_turn" and records[1].__dict__["output_tokens"] == 7
    logged = out + " ".join(str(r.__dict__) for r in records)
    for secret in ["SECRET-ANSWER-42", "SECRET-PROMPT-7", *FAKE_KEYS.values()]:
        assert secret not in logged
