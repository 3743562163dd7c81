"""Each provider's real SDK against a local server speaking its wire protocol: what reaches the
server, and how replies and errors come back normalized."""

from __future__ import annotations

from typing import Any

import pytest

from llm_gateway.errors import (
    AuthenticationFailed,
    ContextWindowExceeded,
    InvalidRequest,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from tests.llm_gateway.fakes import FakeServer
from tests.llm_gateway.harness import FAKE_KEYS, make_harness
from tests.llm_gateway.providers_table import ALL, Wire, only_request

TOOLS = [
    {
        "name": "reverse_text",
        "description": "Reverse a text.",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    },
    {
        "name": "word_count",
        "description": "Count words.",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
    },
]
ids = [w.name for w in ALL]
parametrize = pytest.mark.parametrize("w", ALL, ids=ids)


def harness(w: Wire, server: FakeServer, **kwargs: Any) -> Any:
    return make_harness({w.name: server.url + w.url_suffix}, **kwargs)


@parametrize
def test_text_reply_and_request_shape(w: Wire, server: FakeServer) -> None:
    server.push(w.text("hello back"))
    response = harness(w, server).complete(
        model=f"{w.name}:model-a", system="Be brief.", max_tokens=321, tools=TOOLS
    )

    sent = only_request(server.requests)
    assert sent.method == "POST" and sent.path == w.path("model-a")
    assert w.sent_tool_names(sent.body) == ["reverse_text", "word_count"]
    assert w.sent_max_tokens(sent.body) == 321
    assert "Be brief." in str(sent.body)
    if w.key_header:  # the configured key is what the SDK sent
        assert any(key in (sent.header(w.key_header) or "") for key in FAKE_KEYS.values())
    else:
        assert (sent.header("authorization") or "").startswith("AWS4-HMAC-SHA256")
    assert response.message.role == "assistant"
    assert response.message.text() == "hello back"
    assert response.stop_reason == "end_turn"
    assert response.tool_calls == []
    assert response.provider == w.name and response.model == "model-a"
    assert response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    assert response.latency_ms > 0


@parametrize
def test_usage_is_reported(w: Wire, server: FakeServer) -> None:
    server.push(w.text("x", usage=(123, 45)))
    usage = harness(w, server).complete(model=f"{w.name}:m").usage
    assert (usage.input_tokens, usage.output_tokens) == (123, 45)


@parametrize
def test_single_tool_call(w: Wire, server: FakeServer) -> None:
    server.push(w.calls([("call-1", "reverse_text", {"text": "abc"})]))
    response = harness(w, server).complete(model=f"{w.name}:m", tools=TOOLS)
    assert response.stop_reason == "tool_use"
    assert [(c.name, c.input) for c in response.tool_calls] == [("reverse_text", {"text": "abc"})]
    assert [b.type for b in response.message.content] == ["tool_use"]
    assert response.tool_calls[0].id == response.message.content[0].id


@parametrize
def test_parallel_tool_calls(w: Wire, server: FakeServer) -> None:
    server.push(w.calls([("c1", "reverse_text", {"text": "abc"}), ("c2", "word_count", {"text": "a b"})]))
    response = harness(w, server).complete(model=f"{w.name}:m", tools=TOOLS)
    assert response.stop_reason == "tool_use"
    assert [c.name for c in response.tool_calls] == ["reverse_text", "word_count"]
    assert len({c.id for c in response.tool_calls}) == 2


@parametrize
def test_tool_results_round_trip(w: Wire, server: FakeServer) -> None:
    """Call → results → the provider receives the results in its own wire shape → final answer."""
    h = harness(w, server)
    server.push(w.calls([("c1", "reverse_text", {"text": "abc"}), ("c2", "word_count", {"text": "a b"})]))
    prompt = {"role": "user", "content": "reverse abc and count 'a b'"}
    first = h.complete(model=f"{w.name}:m", tools=TOOLS, messages=[prompt])
    results = {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": first.tool_calls[1].id, "content": "2"},
            {
                "type": "tool_result",
                "tool_use_id": first.tool_calls[0].id,
                "content": "cba",
                "is_error": False,
            },
        ],
    }
    server.push(w.text("abc reversed is cba; 2 words"))
    final = h.complete(
        model=f"{w.name}:m", tools=TOOLS, messages=[prompt, first.message.model_dump(), results]
    )
    assert final.stop_reason == "end_turn" and "cba" in final.message.text()
    sent = server.requests[1].body
    assert_results_on_wire(w.name, sent, first, {"c1": "cba", "c2": "2"})


def assert_results_on_wire(provider: str, body: Any, first: Any, expected: dict[str, str]) -> None:
    call_ids = [c.id for c in first.tool_calls]
    if provider == "anthropic":
        assistant, user = body["messages"][1], body["messages"][2]
        assert [b["id"] for b in assistant["content"]] == call_ids
        assert {b["tool_use_id"]: b["content"] for b in user["content"]} == {
            call_ids[0]: expected["c1"],
            call_ids[1]: expected["c2"],
        }
    elif provider == "openai":
        assistant, *tools = body["messages"][1:]
        assert [c["id"] for c in assistant["tool_calls"]] == call_ids
        assert [c["function"]["arguments"] for c in assistant["tool_calls"]] == [
            '{"text":"abc"}',
            '{"text":"a b"}',
        ]
        assert [(t["role"], t["tool_call_id"]) for t in tools] == [
            ("tool", call_ids[1]),
            ("tool", call_ids[0]),
        ]
        assert {t["tool_call_id"]: t["content"] for t in tools} == {
            call_ids[0]: expected["c1"],
            call_ids[1]: expected["c2"],
        }
    elif provider == "gemini":
        model_turn, user_turn = body["contents"][1], body["contents"][2]
        assert model_turn["role"] == "model"
        assert [p["functionCall"]["name"] for p in model_turn["parts"]] == ["reverse_text", "word_count"]
        responses = [p["functionResponse"] for p in user_turn["parts"]]
        # one response per call, in call order, named after the call
        assert [(r["name"], r["response"]) for r in responses] == [
            ("reverse_text", {"output": expected["c1"]}),
            ("word_count", {"output": expected["c2"]}),
        ]
    else:
        assistant, user = body["messages"][1], body["messages"][2]
        assert [b["toolUse"]["toolUseId"] for b in assistant["content"]] == call_ids
        assert {b["toolResult"]["toolUseId"]: b["toolResult"]["content"] for b in user["content"]} == {
            call_ids[0]: [{"text": expected["c1"]}],
            call_ids[1]: [{"text": expected["c2"]}],
        }


@parametrize
@pytest.mark.parametrize("kind", ["max_tokens", "refusal"])
def test_stop_reasons(w: Wire, kind: str, server: FakeServer) -> None:
    server.push(getattr(w, kind)())
    assert harness(w, server).complete(model=f"{w.name}:m").stop_reason == kind


@parametrize
def test_429_then_success_is_retried(w: Wire, server: FakeServer) -> None:
    server.push(w.rate_limited(0.002), w.text("finally"))
    h = harness(w, server)
    response = h.complete(model=f"{w.name}:m")
    assert response.message.text() == "finally"
    assert len(server.requests) == 2  # the SDK itself did not retry: the gateway did, once
    assert len(h.sleeps) == 1
    if w.name != "bedrock":  # Bedrock sends no retry-after hint: jittered backoff instead
        assert h.sleeps == [pytest.approx(0.002)]
    assert h.metric_values("Retries") == [(w.name, "m", [1.0])]


@parametrize
def test_500_exhaustion_falls_back_to_second_provider(
    w: Wire, server: FakeServer, second_server: FakeServer
) -> None:
    other = ALL[(ALL.index(w) + 1) % len(ALL)]
    for _ in range(3):
        server.push(w.status_error(500, "boom"))
    second_server.push(other.text("from the fallback"))
    h = make_harness({w.name: server.url + w.url_suffix, other.name: second_server.url + other.url_suffix})
    response = h.complete(model=f"{w.name}:primary", fallbacks=[f"{other.name}:backup"])
    assert (response.provider, response.model) == (other.name, "backup")
    assert response.message.text() == "from the fallback"
    assert len(server.requests) == 3 and len(second_server.requests) == 1
    assert len(h.sleeps) == 2
    assert h.metric_values("Errors") == [(w.name, "primary", [1.0]), (other.name, "backup", [0.0])]
    assert h.metric_values("FallbacksUsed") == [(w.name, "primary", [0.0]), (other.name, "backup", [1.0])]


@parametrize
def test_500_exhaustion_without_fallback_raises_provider_unavailable(w: Wire, server: FakeServer) -> None:
    server.push(*[w.status_error(503, "overloaded")] * 2)
    with pytest.raises(ProviderUnavailable) as info:
        harness(w, server, max_attempts=2).complete(model=f"{w.name}:m")
    assert info.value.retryable and info.value.provider == w.name and info.value.model == "m"


@parametrize
def test_timeout(w: Wire, server: FakeServer) -> None:
    reply = w.text("too late")
    reply.delay_s = 1.5
    server.push(reply)
    with pytest.raises(ProviderTimeout) as info:
        harness(w, server, timeout_s=0.3, max_attempts=1).complete(model=f"{w.name}:m")
    assert info.value.retryable


@parametrize
def test_auth_failure(w: Wire, server: FakeServer) -> None:
    server.push(w.auth_error())
    with pytest.raises(AuthenticationFailed) as info:
        harness(w, server).complete(model=f"{w.name}:m")
    assert not info.value.retryable
    assert len(server.requests) == 1  # not retried


@parametrize
def test_context_window_exceeded(w: Wire, server: FakeServer) -> None:
    server.push(w.context_error())
    with pytest.raises(ContextWindowExceeded):
        harness(w, server).complete(model=f"{w.name}:m")


@parametrize
def test_bad_request_is_invalid_request(w: Wire, server: FakeServer) -> None:
    if w.name == "bedrock":
        from tests.llm_gateway.fakes.wire import bedrock_error

        server.push(bedrock_error(400, "ValidationException", "messages: malformed"))
    else:
        server.push(w.status_error(400, "malformed request"))
    with pytest.raises(InvalidRequest):
        harness(w, server).complete(model=f"{w.name}:m")


@parametrize
def test_keys_never_leak_into_errors(w: Wire, server: FakeServer) -> None:
    echoed = " ".join(FAKE_KEYS.values())
    if w.name == "bedrock":
        from tests.llm_gateway.fakes.wire import bedrock_error

        server.push(bedrock_error(400, "ValidationException", f"bad key {echoed}"))
    else:
        server.push(w.status_error(400, f"bad key {echoed}"))
    with pytest.raises(InvalidRequest) as info:
        harness(w, server).complete(model=f"{w.name}:m")
    for key in FAKE_KEYS.values():
        assert key not in str(info.value)
    assert "[REDACTED]" in str(info.value)


def test_rate_limited_error_after_exhaustion_carries_retryable(server: FakeServer) -> None:
    from tests.llm_gateway.providers_table import ANTHROPIC

    server.push(*[ANTHROPIC.rate_limited(0.001)] * 3)
    with pytest.raises(RateLimited) as info:
        harness(ANTHROPIC, server).complete(model="anthropic:m")
    assert info.value.retryable and info.value.retry_after == pytest.approx(0.001)
    assert len(server.requests) == 3
