"""Replies in each provider's wire format (what the real APIs send), for the fake server.

Anthropic Messages (POST /v1/messages), OpenAI Chat Completions (POST /v1/chat/completions),
Gemini generateContent (POST /{version}/models/{model}:generateContent) and Bedrock Converse
(POST /model/{modelId}/converse; errors carry ``x-amzn-ErrorType``).
"""

from __future__ import annotations

import json
from typing import Any

from tests.llm_gateway.fakes.server import Reply

__all__ = [
    "anthropic_error",
    "anthropic_reply",
    "bedrock_error",
    "bedrock_reply",
    "gemini_error",
    "gemini_reply",
    "openai_error",
    "openai_reply",
]

Call = tuple[str, str, dict[str, Any]]  # (id, name, input)


def anthropic_reply(
    text: str | None = None,
    calls: list[Call] = (),  # type: ignore[assignment]
    *,
    stop_reason: str | None = None,
    usage: tuple[int, int] = (11, 7),
) -> Reply:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text is not None else []
    content += [{"type": "tool_use", "id": i, "name": n, "input": a} for i, n, a in calls]
    return Reply(
        200,
        {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": "claude-fake",
            "content": content,
            "stop_reason": stop_reason or ("tool_use" if calls else "end_turn"),
            "stop_sequence": None,
            "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
        },
    )


def anthropic_error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"type": "error", "error": {"type": kind, "message": message}}, headers or {})


def openai_reply(
    text: str | None = None,
    calls: list[Call] = (),  # type: ignore[assignment]
    *,
    finish_reason: str | None = None,
    usage: tuple[int, int] = (13, 5),
    refusal: str | None = None,
) -> Reply:
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": refusal}
    if calls:
        message["tool_calls"] = [
            {"id": i, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
            for i, n, a in calls
        ]
    return Reply(
        200,
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "gpt-fake",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": finish_reason or ("tool_calls" if calls else "stop"),
                }
            ],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
        },
    )


def openai_error(
    status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
) -> Reply:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}
    return Reply(status, body, headers or {})


def gemini_reply(
    text: str | None = None,
    calls: list[tuple[str | None, str, dict[str, Any]]] = (),  # type: ignore[assignment]
    *,
    finish_reason: str = "STOP",
    usage: tuple[int, int] = (17, 9),
    extra_part_fields: dict[str, Any] | None = None,
) -> Reply:
    """``calls`` are (id or None, name, args): Gemini may omit ids and says STOP for tool calls."""
    parts: list[dict[str, Any]] = [{"text": text}] if text is not None else []
    for call_id, name, args in calls:
        call: dict[str, Any] = {"name": name, "args": args}
        if call_id is not None:
            call["id"] = call_id
        parts.append({"functionCall": call, **(extra_part_fields or {})})
    return Reply(
        200,
        {
            "candidates": [
                {"content": {"role": "model", "parts": parts}, "finishReason": finish_reason, "index": 0}
            ],
            "usageMetadata": {
                "promptTokenCount": usage[0],
                "candidatesTokenCount": usage[1],
                "totalTokenCount": sum(usage),
            },
            "modelVersion": "gemini-fake",
        },
    )


def gemini_error(code: int, status: str, message: str, retry_delay: str | None = None) -> Reply:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if retry_delay:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}]
    return Reply(code, {"error": error})


def bedrock_reply(
    text: str | None = None,
    calls: list[Call] = (),  # type: ignore[assignment]
    *,
    stop_reason: str | None = None,
    usage: tuple[int, int] = (19, 3),
) -> Reply:
    content: list[dict[str, Any]] = [{"text": text}] if text is not None else []
    content += [{"toolUse": {"toolUseId": i, "name": n, "input": a}} for i, n, a in calls]
    return Reply(
        200,
        {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop_reason or ("tool_use" if calls else "end_turn"),
            "usage": {"inputTokens": usage[0], "outputTokens": usage[1], "totalTokens": sum(usage)},
            "metrics": {"latencyMs": 12},
        },
    )


def bedrock_error(status: int, code: str, message: str) -> Reply:
    return Reply(
        status, {"message": message}, {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/"}
    )
