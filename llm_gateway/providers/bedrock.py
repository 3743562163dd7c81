"""Amazon Bedrock Converse API through boto3 (``bedrock-runtime``; credentials from IAM, no API key).

The client is injected (``BedrockProvider(client=…)``) or created lazily with retries disabled (the
gateway retries), the gateway timeout as read timeout, and ``SFA_BEDROCK_ENDPOINT_URL`` /
``SFA_BEDROCK_REGION`` as endpoint and region. ``toolResult.status`` is only understood by Anthropic
models on Bedrock: for other models a failed result is sent as text prefixed ``ERROR: ``. Converse
requires alternating roles: consecutive messages of one role are merged into one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from llm_gateway.errors import (
    AuthenticationFailed,
    ContextWindowExceeded,
    GatewayError,
    InvalidRequest,
    ProviderIncompatible,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from llm_gateway.models import GatewayResponse, Message, StopReason, TextBlock, ToolUseBlock
from llm_gateway.providers.base import (
    ClientCache,
    Provider,
    ProviderCall,
    map_http_status,
    tool_result_text,
    unexpected_error,
)
from llm_gateway.secrets import redact

__all__ = ["BedrockProvider", "to_converse_wire"]

_STOP: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "guardrail_intervened": "refusal",
    "content_filtered": "refusal",
    "model_context_window_exceeded": "max_tokens",
}
_CODES: dict[str, type[GatewayError]] = {
    "ThrottlingException": RateLimited,
    "TooManyRequestsException": RateLimited,
    "ServiceQuotaExceededException": RateLimited,
    "ModelTimeoutException": ProviderTimeout,
    "AccessDeniedException": AuthenticationFailed,
    "UnrecognizedClientException": AuthenticationFailed,
    "InvalidSignatureException": AuthenticationFailed,
    "ExpiredTokenException": AuthenticationFailed,
    "ResourceNotFoundException": InvalidRequest,
    "ServiceUnavailableException": ProviderUnavailable,
    "InternalServerException": ProviderUnavailable,
    "ModelNotReadyException": ProviderUnavailable,
    "ModelErrorException": ProviderUnavailable,
}
_CONTEXT_MARKERS = ("too long", "context window", "context length", "too many input tokens")


def _message(message: Message, *, status_field: bool) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            if block.text:
                content.append({"text": block.text})
        elif block.type == "tool_use":
            content.append({"toolUse": {"toolUseId": block.id, "name": block.name, "input": block.input}})
        else:
            text = tool_result_text(block.content) or "(no output)"
            result: dict[str, Any] = {"toolUseId": block.tool_use_id}
            if block.is_error and status_field:
                result["status"] = "error"
            elif block.is_error:
                text = f"ERROR: {text}"
            result["content"] = [{"text": text}]
            content.append({"toolResult": result})
    return {"role": message.role, "content": content}


def _merge_roles(messages: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Converse rejects empty content and two consecutive messages of one role (the canonical
    format allows both, e.g. tool results followed by a user text, or a turn left empty once its
    blocks are dropped): empty messages are dropped, consecutive same-role ones merged in order."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        if not message["content"]:
            continue
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1] = {**merged[-1], "content": [*merged[-1]["content"], *message["content"]]}
        else:
            merged.append(message)
    return merged


def to_converse_wire(call: ProviderCall) -> dict[str, Any]:
    """The ``converse`` keyword arguments for ``call``."""
    request = call.request
    status_field = "anthropic" in call.model
    kwargs: dict[str, Any] = {
        "modelId": call.model,
        "messages": _merge_roles(_message(m, status_field=status_field) for m in request.messages),
        "inferenceConfig": {"maxTokens": request.max_tokens},
    }
    if request.temperature is not None:
        kwargs["inferenceConfig"]["temperature"] = request.temperature
    if request.system:
        kwargs["system"] = [{"text": request.system}]
    if call.tools:
        specs = []
        for tool in call.tools:
            spec: dict[str, Any] = {"name": tool.name, "inputSchema": {"json": tool.input_schema}}
            if tool.description:
                spec["description"] = tool.description
            specs.append({"toolSpec": spec})
        kwargs["toolConfig"] = {"tools": specs}
    return kwargs


def from_converse_wire(reply: dict[str, Any], *, provider: str, model: str) -> GatewayResponse:
    blocks: list[TextBlock | ToolUseBlock] = []
    for block in reply.get("output", {}).get("message", {}).get("content", []):
        if "text" in block:
            blocks.append(TextBlock(text=block["text"]))
        elif "toolUse" in block:
            use = block["toolUse"]
            blocks.append(ToolUseBlock(id=use["toolUseId"], name=use["name"], input=use.get("input") or {}))
    usage = reply.get("usage", {})
    return GatewayResponse.build(
        blocks,
        _STOP.get(reply.get("stopReason", "end_turn"), "end_turn"),
        provider=provider,
        model=model,
        input_tokens=(usage.get("inputTokens") or 0)
        + (usage.get("cacheReadInputTokens") or 0)
        + (usage.get("cacheWriteInputTokens") or 0),
        output_tokens=usage.get("outputTokens") or 0,
    )


def _map_error(exc: Exception, botocore_exceptions: Any) -> GatewayError:
    """The one seam where whatever the ``converse`` call raises becomes a gateway error."""
    bex = botocore_exceptions
    if isinstance(exc, bex.ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        text = redact(str(exc.response.get("Error", {}).get("Message", "")))
        message = f"{code} (HTTP {status}): {text}"
        if code == "ValidationException" and any(m in text.lower() for m in _CONTEXT_MARKERS):
            return ContextWindowExceeded(message, status_code=status)
        if code in _CODES:
            return _CODES[code](message, status_code=status)
        return map_http_status(status or 500, message)
    if isinstance(exc, bex.ReadTimeoutError | bex.ConnectTimeoutError):
        return ProviderTimeout("request timed out")
    if isinstance(exc, bex.NoCredentialsError):
        return AuthenticationFailed("no AWS credentials for bedrock-runtime (the function's IAM role)")
    if isinstance(exc, bex.ParamValidationError):  # botocore's own check of the call: deterministic
        return ProviderIncompatible(f"{type(exc).__name__}: {redact(str(exc))}")
    if isinstance(exc, bex.BotoCoreError):  # connection errors and the like
        return ProviderUnavailable(f"{type(exc).__name__}: {redact(str(exc))}")
    return unexpected_error(exc)


class BedrockProvider(Provider):
    """Amazon Bedrock Converse (boto3); endpoint override: ``SFA_BEDROCK_ENDPOINT_URL``."""

    name = "bedrock"
    needs_api_key = False
    schema_dialect = "bedrock"

    def __init__(self, client: Any = None) -> None:
        self._injected = client
        self._clients = ClientCache()

    def _client(self, call: ProviderCall) -> Any:
        if self._injected is not None:
            return self._injected

        def build() -> Any:
            import boto3
            from botocore.config import Config

            config = Config(
                retries={"total_max_attempts": 1, "mode": "standard"},  # the gateway retries
                read_timeout=call.timeout_s,
                connect_timeout=min(10.0, call.timeout_s),
            )
            return boto3.session.Session().client(
                "bedrock-runtime", region_name=call.region, endpoint_url=call.base_url, config=config
            )

        return self._clients.get((call.base_url, call.region, call.timeout_s), build)

    def complete(self, call: ProviderCall) -> GatewayResponse:
        from botocore import exceptions as botocore_exceptions

        kwargs = to_converse_wire(call)
        try:
            reply = self._client(call).converse(**kwargs)
        except Exception as exc:
            raise _map_error(exc, botocore_exceptions) from None
        return from_converse_wire(reply, provider=self.name, model=call.model)
