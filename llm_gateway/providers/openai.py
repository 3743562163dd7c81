"""OpenAI Chat Completions through the ``openai`` SDK (imported on first use); any OpenAI-compatible
endpoint works through ``SFA_OPENAI_BASE_URL``.

Translation: the system prompt becomes a ``system`` message; assistant ``tool_use`` blocks become
``tool_calls`` (arguments as a JSON string); each ``tool_result`` becomes a ``role: tool`` message
with ``tool_call_id`` (OpenAI has no error flag: failed results are prefixed ``ERROR: ``). Replies:
``finish_reason`` ``stop``/``tool_calls``/``length``/``content_filter`` → ``end_turn``/``tool_use``/
``max_tokens``/``refusal``; tool use is also inferred from the presence of ``tool_calls`` (some
compatible servers say ``stop``). The token limit is sent as ``max_completion_tokens``, or as
``max_tokens`` when ``SFA_OPENAI_MAX_TOKENS_PARAM=max_tokens`` (older compatible servers).
"""

from __future__ import annotations

import json
import os
from typing import Any

from llm_gateway.errors import GatewayError, ProviderTimeout, ProviderUnavailable
from llm_gateway.models import GatewayResponse, Message, StopReason, TextBlock, ToolUseBlock
from llm_gateway.providers.base import (
    ClientCache,
    Provider,
    ProviderCall,
    dumps,
    header_retry_after,
    map_http_status,
    tool_result_text,
    unexpected_error,
)
from llm_gateway.secrets import redact

__all__ = ["OpenAIProvider", "to_chat_wire"]

_FINISH: dict[str, StopReason] = {
    "stop": "end_turn",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "length": "max_tokens",
    "content_filter": "refusal",
}
_CONTEXT_MARKERS = ("context_length_exceeded", "maximum context length", "context window")


def _messages(message: Message) -> list[dict[str, Any]]:
    if message.role == "assistant":
        text = message.text()
        calls = [
            {"id": b.id, "type": "function", "function": {"name": b.name, "arguments": dumps(b.input)}}
            for b in message.tool_uses()
        ]
        wire: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            wire["tool_calls"] = calls
        return [wire]
    out: list[dict[str, Any]] = []
    for result in message.tool_results():  # tool messages must directly follow the assistant turn
        content = tool_result_text(result.content)
        out.append(
            {
                "role": "tool",
                "tool_call_id": result.tool_use_id,
                "content": f"ERROR: {content}" if result.is_error else content,
            }
        )
    text = message.text()
    if text or not out:
        out.append({"role": "user", "content": text})
    return out


def to_chat_wire(call: ProviderCall, tokens_param: str = "max_completion_tokens") -> dict[str, Any]:
    """The ``chat.completions.create`` keyword arguments for ``call``."""
    request = call.request
    messages: list[dict[str, Any]] = []
    if request.system:
        messages.append({"role": "system", "content": request.system})
    for message in request.messages:
        messages.extend(_messages(message))
    kwargs: dict[str, Any] = {"model": call.model, "messages": messages, tokens_param: request.max_tokens}
    if request.temperature is not None:
        kwargs["temperature"] = request.temperature
    if call.tools:
        kwargs["tools"] = [
            {
                "type": "function",
                "function": {"name": t.name, "description": t.description, "parameters": t.input_schema},
            }
            for t in call.tools
        ]
    return kwargs


def _arguments(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {"_invalid_json_arguments": raw}  # the tool's validation reports it to the model
    return value if isinstance(value, dict) else {"_non_object_arguments": value}


def from_chat_wire(completion: Any, *, provider: str, model: str) -> GatewayResponse:
    if not completion.choices:
        raise ProviderUnavailable("the reply has no choices")
    choice = completion.choices[0]
    message = choice.message
    blocks: list[TextBlock | ToolUseBlock] = []
    if message.content:
        blocks.append(TextBlock(text=message.content))
    for tool_call in message.tool_calls or ():
        function = tool_call.function
        blocks.append(ToolUseBlock(id=tool_call.id, name=function.name, input=_arguments(function.arguments)))
    stop = _FINISH.get(choice.finish_reason or "stop", "end_turn")
    if getattr(message, "refusal", None) and not blocks:
        blocks.append(TextBlock(text=message.refusal))
        stop = "refusal"
    usage = completion.usage
    return GatewayResponse.build(
        blocks,
        stop,
        provider=provider,
        model=model,
        input_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        output_tokens=getattr(usage, "completion_tokens", 0) or 0,
    )


def _map_error(exc: Exception, sdk: Any) -> GatewayError:
    """The one seam where whatever the ``openai`` SDK call raises becomes a gateway error."""
    if isinstance(exc, sdk.APITimeoutError):
        return ProviderTimeout("request timed out")
    if isinstance(exc, sdk.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        detail = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
        code = detail.get("code")
        text = redact(str(detail.get("message") or exc.message))
        message = f"HTTP {exc.status_code}{f' {code}' if code else ''}: {text}"
        return map_http_status(
            exc.status_code,
            message,
            retry_after=header_retry_after(exc.response.headers),
            context_markers=_CONTEXT_MARKERS,
        )
    if isinstance(exc, sdk.OpenAIError):  # connection errors and the like
        return ProviderUnavailable(f"{type(exc).__name__}: {redact(str(exc))}")
    return unexpected_error(exc)


class OpenAIProvider(Provider):
    """OpenAI Chat Completions (``openai`` SDK); base URL override: ``SFA_OPENAI_BASE_URL``."""

    name = "openai"
    schema_dialect = "openai"

    def __init__(self, tokens_param: str | None = None) -> None:
        self.tokens_param = tokens_param or os.environ.get(
            "SFA_OPENAI_MAX_TOKENS_PARAM", "max_completion_tokens"
        )
        self._clients = ClientCache()

    def _client(self, call: ProviderCall) -> Any:
        import openai

        return self._clients.get(
            (call.api_key, call.base_url, call.timeout_s),
            lambda: openai.OpenAI(
                api_key=call.api_key,
                base_url=call.base_url,
                timeout=call.timeout_s,
                max_retries=0,  # the gateway retries
            ),
        )

    def complete(self, call: ProviderCall) -> GatewayResponse:
        import openai

        kwargs = to_chat_wire(call, self.tokens_param)
        try:
            completion = self._client(call).chat.completions.create(**kwargs)
        except Exception as exc:
            raise _map_error(exc, openai) from None
        return from_chat_wire(completion, provider=self.name, model=call.model)
