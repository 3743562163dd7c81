"""Anthropic Messages API through the ``anthropic`` SDK (imported on first use).

The canonical format *is* Anthropic's, so translation is mostly a copy; :func:`from_messages_wire`
is also the normalizer of the offline provider, whose replies are Messages-API shaped.
"""

from __future__ import annotations

from typing import Any

from llm_gateway.errors import GatewayError, ProviderTimeout, ProviderUnavailable
from llm_gateway.models import (
    GatewayResponse,
    Message,
    StopReason,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from llm_gateway.providers.base import (
    ClientCache,
    Provider,
    ProviderCall,
    header_retry_after,
    map_http_status,
    unexpected_error,
)
from llm_gateway.secrets import redact

__all__ = ["AnthropicProvider", "from_messages_wire", "to_messages_wire"]

_STOP: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "refusal": "refusal",
    "pause_turn": "end_turn",
    "model_context_window_exceeded": "max_tokens",
}
_CONTEXT_MARKERS = ("prompt is too long", "context window", "context length", "too many tokens")


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def _block_to_wire(block: Any) -> dict[str, Any] | None:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": block.text} if block.text else None
    if isinstance(block, ToolUseBlock):
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    assert isinstance(block, ToolResultBlock)
    content: Any = block.content
    if not isinstance(content, str):
        content = [{"type": "text", "text": b.text} for b in content if b.text]
    wire: dict[str, Any] = {"type": "tool_result", "tool_use_id": block.tool_use_id}
    if content:
        wire["content"] = content
    if block.is_error:
        wire["is_error"] = True
    return wire


def _message_to_wire(message: Message) -> dict[str, Any]:
    blocks = [w for w in map(_block_to_wire, message.content) if w is not None]
    return {"role": message.role, "content": blocks}


def to_messages_wire(call: ProviderCall) -> dict[str, Any]:
    """The ``messages.create`` keyword arguments for ``call``."""
    request = call.request
    kwargs: dict[str, Any] = {
        "model": call.model,
        "max_tokens": request.max_tokens,
        "messages": [_message_to_wire(m) for m in request.messages],
    }
    if request.system:
        kwargs["system"] = request.system
    if request.temperature is not None:
        kwargs["temperature"] = request.temperature
    if call.tools:
        kwargs["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.input_schema} for t in call.tools
        ]
    return kwargs


def from_messages_wire(message: Any, *, provider: str, model: str) -> GatewayResponse:
    """Normalize a Messages-API reply (SDK object or plain dict) into a :class:`GatewayResponse`."""
    blocks: list[TextBlock | ToolUseBlock] = []
    for block in _get(message, "content") or ():
        kind = _get(block, "type")
        if kind == "text":
            blocks.append(TextBlock(text=_get(block, "text") or ""))
        elif kind == "tool_use":
            blocks.append(
                ToolUseBlock(id=_get(block, "id"), name=_get(block, "name"), input=_get(block, "input") or {})
            )
        # thinking / server-tool blocks are not part of the canonical format: dropped
    usage = _get(message, "usage")
    input_tokens = sum(
        _get(usage, k) or 0
        for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    )
    return GatewayResponse.build(
        blocks,
        _STOP.get(_get(message, "stop_reason") or "end_turn", "end_turn"),
        provider=provider,
        model=model,
        input_tokens=input_tokens,
        output_tokens=_get(usage, "output_tokens") or 0,
    )


def _map_error(exc: Exception, sdk: Any) -> GatewayError:
    """The one seam where whatever the ``anthropic`` SDK call raises becomes a gateway error."""
    if isinstance(exc, sdk.APITimeoutError):
        return ProviderTimeout("request timed out")
    if isinstance(exc, sdk.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        detail = body.get("error", {}) if isinstance(body.get("error"), dict) else {}
        text = redact(str(detail.get("message") or exc.message))
        kind = detail.get("type")
        message = f"HTTP {exc.status_code}{f' {kind}' if kind else ''}: {text}"
        return map_http_status(
            exc.status_code,
            message,
            retry_after=header_retry_after(exc.response.headers),
            context_markers=_CONTEXT_MARKERS,
        )
    if isinstance(exc, sdk.AnthropicError):  # connection errors and the like
        return ProviderUnavailable(f"{type(exc).__name__}: {redact(str(exc))}")
    return unexpected_error(exc)


class AnthropicProvider(Provider):
    """Anthropic Messages API (``anthropic`` SDK); base URL override: ``SFA_ANTHROPIC_BASE_URL``."""

    name = "anthropic"
    schema_dialect = "anthropic"

    def __init__(self) -> None:
        self._clients = ClientCache()

    def _client(self, call: ProviderCall) -> Any:
        import anthropic

        return self._clients.get(
            (call.api_key, call.base_url, call.timeout_s),
            lambda: anthropic.Anthropic(
                api_key=call.api_key,
                base_url=call.base_url,
                timeout=call.timeout_s,
                max_retries=0,  # the gateway retries
            ),
        )

    def complete(self, call: ProviderCall) -> GatewayResponse:
        import anthropic

        kwargs = to_messages_wire(call)
        try:
            message = self._client(call).messages.create(**kwargs)
        except Exception as exc:
            raise _map_error(exc, anthropic) from None
        return from_messages_wire(message, provider=self.name, model=call.model)
