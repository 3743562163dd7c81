"""Gemini ``generateContent`` through the ``google-genai`` SDK (imported on first use).

Gemini specifics handled here:

* Its finish reason says ``STOP`` for tool calls too: tool use is inferred from ``functionCall``
  parts (in :meth:`GatewayResponse.build`).
* It may omit call ids: missing ids are generated deterministically from the conversation position,
  the call's index, name and arguments (never from clocks). Such ids are not echoed back to Gemini
  (``provider_data.gemini.native_id`` is false); ids Gemini made are.
* Every ``functionCall`` needs exactly one ``functionResponse`` (the request validator guarantees it;
  responses are sent in call order, with the call's name, before any text of the same turn).
* ``thoughtSignature`` of function-call parts is kept in ``provider_data`` and sent back.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from llm_gateway.errors import (
    AuthenticationFailed,
    GatewayError,
    ProviderTimeout,
    ProviderUnavailable,
)
from llm_gateway.models import GatewayResponse, Message, StopReason, TextBlock, ToolUseBlock
from llm_gateway.providers.base import (
    ClientCache,
    Provider,
    ProviderCall,
    dumps,
    header_retry_after,
    map_http_status,
    unexpected_error,
)
from llm_gateway.providers.base import tool_result_text as _result_text
from llm_gateway.secrets import redact

__all__ = ["GeminiProvider", "synthetic_call_id", "to_gemini_wire"]

_FINISH: dict[str, StopReason] = {
    "STOP": "end_turn",
    "MAX_TOKENS": "max_tokens",
    "SAFETY": "refusal",
    "RECITATION": "refusal",
    "BLOCKLIST": "refusal",
    "PROHIBITED_CONTENT": "refusal",
    "SPII": "refusal",
    "IMAGE_SAFETY": "refusal",
    "LANGUAGE": "refusal",
}
_RETRY_FINISH = {"MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL"}
_CONTEXT_MARKERS = ("exceeds the maximum number of tokens", "input token count", "context window")


def synthetic_call_id(position: int, index: int, name: str, args: dict[str, Any]) -> str:
    """A unique, deterministic id for a call Gemini returned without one."""
    seed = f"{position}|{index}|{name}|{dumps(args)}".encode()
    return "gemini_call_" + hashlib.sha256(seed).hexdigest()[:24]


def _gemini_data(block: ToolUseBlock) -> dict[str, Any]:
    data = (block.provider_data or {}).get("gemini")
    return data if isinstance(data, dict) else {}


def _contents(messages: list[Message]) -> list[dict[str, Any]]:
    contents: list[dict[str, Any]] = []
    calls: dict[str, ToolUseBlock] = {}
    for message in messages:
        parts: list[dict[str, Any]] = []
        if message.role == "assistant":
            for block in message.content:
                if block.type == "text" and block.text:
                    parts.append({"text": block.text})
                elif block.type == "tool_use":
                    calls[block.id] = block
                    data = _gemini_data(block)
                    call: dict[str, Any] = {"name": block.name, "args": block.input}
                    if data.get("native_id"):
                        call["id"] = block.id
                    part: dict[str, Any] = {"function_call": call}
                    if data.get("thought_signature"):
                        part["thought_signature"] = base64.b64decode(data["thought_signature"])
                    parts.append(part)
            if parts:  # Gemini rejects contents without parts
                contents.append({"role": "model", "parts": parts})
            continue
        results = {r.tool_use_id: r for r in message.tool_results()}
        order = [i for i in calls if i in results]  # call order, one response per call
        for call_id in order:
            result, block = results[call_id], calls[call_id]
            text = _result_text(result.content)
            response: dict[str, Any] = {
                "name": block.name,
                "response": {"error": text} if result.is_error else {"output": text},
            }
            if _gemini_data(block).get("native_id"):
                response["id"] = call_id
            parts.append({"function_response": response})
        parts.extend({"text": b.text} for b in message.content if b.type == "text" and b.text)
        if parts:
            contents.append({"role": "user", "parts": parts})
    return contents


def to_gemini_wire(call: ProviderCall) -> dict[str, Any]:
    """The ``models.generate_content`` keyword arguments for ``call``."""
    request = call.request
    config: dict[str, Any] = {
        "max_output_tokens": request.max_tokens,
        "automatic_function_calling": {"disable": True},
    }
    if request.system:
        config["system_instruction"] = request.system
    if request.temperature is not None:
        config["temperature"] = request.temperature
    if call.tools:
        declarations = []
        for tool in call.tools:
            declaration: dict[str, Any] = {"name": tool.name, "description": tool.description}
            if tool.input_schema.get("properties"):
                # the SDK rewrites schemas in place: hand it a copy of the (cached) translation
                declaration["parameters"] = _copy(tool.input_schema)
            declarations.append(declaration)
        config["tools"] = [{"function_declarations": declarations}]
    return {"model": call.model, "contents": _contents(request.messages), "config": config}


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def from_gemini_wire(reply: Any, *, provider: str, model: str, position: int) -> GatewayResponse:
    candidates = reply.candidates or []
    usage = reply.usage_metadata
    tokens = {
        "input_tokens": getattr(usage, "prompt_token_count", 0) or 0,
        "output_tokens": (getattr(usage, "candidates_token_count", 0) or 0)
        + (getattr(usage, "thoughts_token_count", 0) or 0),
    }
    if not candidates:
        feedback = getattr(reply, "prompt_feedback", None)
        reason = getattr(getattr(feedback, "block_reason", None), "value", None) or "no candidates"
        return GatewayResponse.build(
            [TextBlock(text=f"blocked: {reason}")], "refusal", provider=provider, model=model, **tokens
        )
    candidate = candidates[0]
    finish = getattr(candidate.finish_reason, "value", candidate.finish_reason) or "STOP"
    if finish in _RETRY_FINISH:
        raise ProviderUnavailable(f"the model produced an unusable tool call ({finish})")
    blocks: list[TextBlock | ToolUseBlock] = []
    parts = candidate.content.parts if candidate.content and candidate.content.parts else []
    for part in parts:
        if part.function_call is not None:
            fc = part.function_call
            args = dict(fc.args or {})
            data: dict[str, Any] = {"native_id": bool(fc.id)}
            if part.thought_signature:
                data["thought_signature"] = base64.b64encode(part.thought_signature).decode()
            call_id = fc.id or synthetic_call_id(position, len(blocks), fc.name, args)
            blocks.append(ToolUseBlock(id=call_id, name=fc.name, input=args, provider_data={"gemini": data}))
        elif part.text and not part.thought:
            blocks.append(TextBlock(text=part.text))
    return GatewayResponse.build(
        blocks, _FINISH.get(finish, "end_turn"), provider=provider, model=model, **tokens
    )


def _retry_delay(details: Any) -> float | None:
    error = details.get("error", details) if isinstance(details, dict) else {}
    for detail in error.get("details", []) if isinstance(error, dict) else []:
        delay = detail.get("retryDelay") if isinstance(detail, dict) else None
        match = re.fullmatch(r"([0-9.]+)s", str(delay or ""))
        if match:
            return float(match.group(1))
    return None


def _map_error(exc: Exception, errors: Any, httpx: Any) -> GatewayError:
    """The one seam where whatever the ``google-genai`` call (and its HTTP client) raises becomes a
    gateway error."""
    if isinstance(exc, httpx.TimeoutException):
        return ProviderTimeout("request timed out")
    if isinstance(exc, errors.APIError):
        text = redact(str(exc.message or exc.status or "error"))
        message = f"HTTP {exc.code}{f' {exc.status}' if exc.status else ''}: {text}"
        if exc.code == 400 and ("API_KEY_INVALID" in str(exc.details) or "api key not valid" in text.lower()):
            return AuthenticationFailed(message, status_code=400)
        retry_after = _retry_delay(exc.details) or header_retry_after(getattr(exc.response, "headers", None))
        return map_http_status(exc.code, message, retry_after=retry_after, context_markers=_CONTEXT_MARKERS)
    if isinstance(exc, httpx.HTTPError):  # connection errors and the like
        return ProviderUnavailable(f"{type(exc).__name__}: {redact(str(exc))}")
    return unexpected_error(exc)


def _http_client_module() -> Any:
    """The HTTP client google-genai runs on (``httpx2`` in current releases, ``httpx`` before)."""
    try:
        import httpx2

        return httpx2
    except ImportError:  # pragma: no cover - older google-genai
        import httpx

        return httpx


class GeminiProvider(Provider):
    """Gemini API (``google-genai`` SDK); base URL override: ``SFA_GEMINI_BASE_URL``."""

    name = "gemini"
    schema_dialect = "gemini"

    def __init__(self) -> None:
        self._clients = ClientCache()

    def _client(self, call: ProviderCall) -> Any:
        from google import genai
        from google.genai import types

        def build() -> Any:
            options = types.HttpOptions(
                base_url=call.base_url,
                timeout=int(call.timeout_s * 1000),
                retry_options=types.HttpRetryOptions(attempts=1),  # the gateway retries
            )
            return genai.Client(api_key=call.api_key, http_options=options)

        return self._clients.get((call.api_key, call.base_url, call.timeout_s), build)

    def complete(self, call: ProviderCall) -> GatewayResponse:
        from google.genai import errors

        httpx = _http_client_module()
        kwargs = to_gemini_wire(call)
        try:
            reply = self._client(call).models.generate_content(**kwargs)
        except Exception as exc:
            raise _map_error(exc, errors, httpx) from None
        position = len(call.request.messages)
        return from_gemini_wire(reply, provider=self.name, model=call.model, position=position)
