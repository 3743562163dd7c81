"""Gemini specifics: inferred tool use, generated call ids, one response per call, thought
signatures, schema translation on the wire."""

from __future__ import annotations

from typing import Any

import pytest

from llm_gateway.errors import InvalidRequest
from llm_gateway.providers.gemini import synthetic_call_id
from tests.llm_gateway.fakes import FakeServer
from tests.llm_gateway.fakes.wire import anthropic_reply, gemini_reply
from tests.llm_gateway.harness import make_harness
from tests.llm_gateway.schema_corpus import CORPUS

TOOLS = [
    {
        "name": "reverse_text",
        "description": "Reverse.",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
    },
    {"name": "ping", "description": "No parameters.", "input_schema": {"type": "object", "properties": {}}},
]
PROMPT = {"role": "user", "content": "go"}


def _ask(server: FakeServer, messages: list[dict[str, Any]], tools: list[dict[str, Any]] = TOOLS) -> Any:
    return make_harness({"gemini": server.url}).complete(model="gemini:g", tools=tools, messages=messages)


def test_missing_ids_are_generated_unique_and_deterministic(server: FakeServer) -> None:
    calls = [(None, "reverse_text", {"text": "a"}), (None, "reverse_text", {"text": "a"})]
    server.push(gemini_reply(None, calls), gemini_reply(None, calls))
    first = _ask(server, [PROMPT])
    again = _ask(server, [PROMPT])
    ids = [c.id for c in first.tool_calls]
    assert first.stop_reason == "tool_use"  # finishReason was STOP
    assert len(set(ids)) == 2 and all(i.startswith("gemini_call_") for i in ids)
    assert [c.id for c in again.tool_calls] == ids  # same conversation → same ids
    later = synthetic_call_id(3, 0, "reverse_text", {"text": "a"})
    assert later not in ids  # another turn of the conversation → other ids


def test_generated_ids_are_not_sent_back_but_native_ones_are(server: FakeServer) -> None:
    server.push(gemini_reply(None, [(None, "reverse_text", {"text": "a"}), ("native-7", "ping", {})]))
    first = _ask(server, [PROMPT])
    results = {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": c.id, "content": "r", "is_error": c.name == "ping"}
            for c in first.tool_calls
        ],
    }
    server.push(gemini_reply("done"))
    _ask(server, [PROMPT, first.message.model_dump(), results])
    model_turn, user_turn = server.requests[1].body["contents"][1:]
    assert [p["functionCall"] for p in model_turn["parts"]] == [
        {"name": "reverse_text", "args": {"text": "a"}},
        {"name": "ping", "args": {}, "id": "native-7"},
    ]
    assert [p["functionResponse"] for p in user_turn["parts"]] == [
        {"name": "reverse_text", "response": {"output": "r"}},
        {"name": "ping", "response": {"error": "r"}, "id": "native-7"},
    ]


def test_user_text_after_results_follows_the_responses(server: FakeServer) -> None:
    server.push(gemini_reply(None, [(None, "ping", {})]))
    first = _ask(server, [PROMPT])
    results = {
        "role": "user",
        "content": [
            {"type": "text", "text": "and then?"},
            {"type": "tool_result", "tool_use_id": first.tool_calls[0].id, "content": "pong"},
        ],
    }
    server.push(gemini_reply("done"))
    _ask(server, [PROMPT, first.message.model_dump(), results])
    parts = server.requests[1].body["contents"][2]["parts"]
    assert list(parts[0]) == ["functionResponse"] and parts[1] == {"text": "and then?"}


def test_thought_signatures_round_trip(server: FakeServer) -> None:
    server.push(
        gemini_reply(None, [(None, "ping", {})], extra_part_fields={"thoughtSignature": "c2lnbmF0dXJl"})
    )
    first = _ask(server, [PROMPT])
    assert first.message.content[0].provider_data["gemini"]["thought_signature"] == "c2lnbmF0dXJl"
    results = {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": first.tool_calls[0].id, "content": "pong"}],
    }
    server.push(gemini_reply("done"))
    _ask(server, [PROMPT, first.message.model_dump(), results])
    part = server.requests[1].body["contents"][1]["parts"][0]
    assert part["thoughtSignature"] == "c2lnbmF0dXJl"


def test_malformed_function_call_is_retried(server: FakeServer) -> None:
    server.push(gemini_reply(None, finish_reason="MALFORMED_FUNCTION_CALL"), gemini_reply("ok"))
    assert _ask(server, [PROMPT]).message.text() == "ok"
    assert len(server.requests) == 2


def test_schemas_are_translated_on_the_wire(server: FakeServer) -> None:
    tools = [
        {"name": "plan_trip", "description": "Plan.", "input_schema": CORPUS["realistic_trip"]},
        {
            "name": "ping",
            "description": "No parameters.",
            "input_schema": {"type": "object", "properties": {}},
        },
    ]
    server.push(gemini_reply("ok"))
    _ask(server, [PROMPT], tools)
    declarations = server.requests[0].body["tools"][0]["functionDeclarations"]
    params = declarations[0]["parameters"]
    text = str(params)
    assert "$ref" not in text and "$defs" not in text and "additionalProperties" not in text
    assert params["properties"]["travellers"]["items"]["properties"]["age"]["type"] == "INTEGER"
    assert "parameters" not in declarations[1]  # no parameters → left unset, as Gemini documents


def test_schema_gemini_rejects_fails_fast_and_falls_back(
    server: FakeServer, second_server: FakeServer
) -> None:
    tools = [{"name": "set_headers", "description": "d", "input_schema": CORPUS["free_form_map"]}]
    h = make_harness({"gemini": server.url, "anthropic": second_server.url})
    with pytest.raises(InvalidRequest, match=r"'set_headers'.*gemini.*free-form map"):
        h.complete(model="gemini:g", tools=tools)
    assert server.requests == []  # rejected before any network call
    second_server.push(anthropic_reply("fine"))
    response = h.complete(model="gemini:g", fallbacks=["anthropic:c"], tools=tools)
    assert response.provider == "anthropic"
    sent = second_server.requests[0].body["tools"][0]["input_schema"]
    assert sent["properties"]["headers"]["additionalProperties"] == {"type": "string"}
