"""Per-provider wire vocabulary for the parametrized provider tests: how to script the fake server
and where to look in what it received."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.llm_gateway.fakes import Recorded, Reply, wire


@dataclass(frozen=True)
class Wire:
    name: str
    url_suffix: str
    path: Callable[[str], str]  # model → request path
    text: Callable[..., Reply]
    calls: Callable[[list[tuple[str, str, dict[str, Any]]]], Reply]
    status_error: Callable[[int, str], Reply]
    rate_limited: Callable[[float], Reply]  # retry-after seconds
    auth_error: Callable[[], Reply]
    context_error: Callable[[], Reply]
    max_tokens: Callable[[], Reply]
    refusal: Callable[[], Reply]
    key_header: str | None
    sent_tool_names: Callable[[Any], list[str]]
    sent_max_tokens: Callable[[Any], int]


def _anthropic_tools(body: Any) -> list[str]:
    return [t["name"] for t in body.get("tools", [])]


def _openai_tools(body: Any) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", [])]


def _gemini_tools(body: Any) -> list[str]:
    return [d["name"] for t in body.get("tools", []) for d in t["functionDeclarations"]]


def _bedrock_tools(body: Any) -> list[str]:
    return [t["toolSpec"]["name"] for t in body.get("toolConfig", {}).get("tools", [])]


ANTHROPIC = Wire(
    name="anthropic",
    url_suffix="",
    path=lambda m: "/v1/messages",
    text=lambda text="hello back", **kw: wire.anthropic_reply(text, **kw),
    calls=lambda calls: wire.anthropic_reply(None, calls),
    status_error=lambda status, msg: wire.anthropic_error(status, "api_error", msg),
    rate_limited=lambda s: wire.anthropic_error(
        429, "rate_limit_error", "slow down", {"retry-after": str(s)}
    ),
    auth_error=lambda: wire.anthropic_error(401, "authentication_error", "invalid x-api-key"),
    context_error=lambda: wire.anthropic_error(
        400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"
    ),
    max_tokens=lambda: wire.anthropic_reply("cut", stop_reason="max_tokens"),
    refusal=lambda: wire.anthropic_reply("I can't help with that", stop_reason="refusal"),
    key_header="authorization",
    sent_tool_names=_anthropic_tools,
    sent_max_tokens=lambda body: body["max_tokens"],
)

OPENAI = Wire(
    name="openai",
    url_suffix="/v1",
    path=lambda m: "/v1/chat/completions",
    text=lambda text="hello back", **kw: wire.openai_reply(text, **kw),
    calls=lambda calls: wire.openai_reply(None, calls),
    status_error=lambda status, msg: wire.openai_error(status, msg, "server_error"),
    rate_limited=lambda s: wire.openai_error(
        429, "Rate limit reached", "rate_limit_exceeded", {"retry-after-ms": str(int(s * 1000))}
    ),
    auth_error=lambda: wire.openai_error(401, "Incorrect API key provided", "invalid_api_key"),
    context_error=lambda: wire.openai_error(
        400, "This model's maximum context length is 128000 tokens", "context_length_exceeded"
    ),
    max_tokens=lambda: wire.openai_reply("cut", finish_reason="length"),
    refusal=lambda: wire.openai_reply(None, finish_reason="stop", refusal="I can't help with that"),
    key_header="authorization",
    sent_tool_names=_openai_tools,
    sent_max_tokens=lambda body: body["max_completion_tokens"],
)

GEMINI = Wire(
    name="gemini",
    url_suffix="",
    path=lambda m: f"/v1/models/{m}:generateContent",
    text=lambda text="hello back", **kw: wire.gemini_reply(text, **kw),
    calls=lambda calls: wire.gemini_reply(None, [(i, n, a) for i, n, a in calls]),
    status_error=lambda status, msg: wire.gemini_error(status, "INTERNAL", msg),
    rate_limited=lambda s: wire.gemini_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", f"{s}s"),
    auth_error=lambda: Reply(
        400,
        {
            "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
                ],
            }
        },
    ),
    context_error=lambda: wire.gemini_error(
        400,
        "INVALID_ARGUMENT",
        "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
    ),
    max_tokens=lambda: wire.gemini_reply("cut", finish_reason="MAX_TOKENS"),
    refusal=lambda: wire.gemini_reply(None, finish_reason="SAFETY"),
    key_header="x-goog-api-key",
    sent_tool_names=_gemini_tools,
    sent_max_tokens=lambda body: body["generationConfig"]["maxOutputTokens"],
)

BEDROCK = Wire(
    name="bedrock",
    url_suffix="",
    path=lambda m: f"/model/{m}/converse",
    text=lambda text="hello back", **kw: wire.bedrock_reply(text, **kw),
    calls=lambda calls: wire.bedrock_reply(None, calls),
    status_error=lambda status, msg: wire.bedrock_error(status, "InternalServerException", msg),
    rate_limited=lambda s: wire.bedrock_error(429, "ThrottlingException", "Too many requests"),
    auth_error=lambda: wire.bedrock_error(
        403, "UnrecognizedClientException", "The security token is invalid"
    ),
    context_error=lambda: wire.bedrock_error(
        400, "ValidationException", "Input is too long for requested model."
    ),
    max_tokens=lambda: wire.bedrock_reply("cut", stop_reason="max_tokens"),
    refusal=lambda: wire.bedrock_reply("blocked", stop_reason="guardrail_intervened"),
    key_header=None,  # SigV4 from IAM credentials
    sent_tool_names=_bedrock_tools,
    sent_max_tokens=lambda body: body["inferenceConfig"]["maxTokens"],
)

ALL = [ANTHROPIC, OPENAI, GEMINI, BEDROCK]


def only_request(recorded: list[Recorded]) -> Recorded:
    assert len(recorded) == 1, [r.path for r in recorded]
    return recorded[0]
