"""The LLM gateway Lambda: ``handler(event, context)``.

``event`` is the normalized request (design.md §6); the return value is the normalized response.
On failure the handler raises the gateway error class itself (``RateLimited``, ``ProviderTimeout``,
``ProviderUnavailable``, ``InvalidRequest``, ``AuthenticationFailed``, ``ContextWindowExceeded``): the
Lambda runtime reports the class name as ``errorType`` and Step Functions' Retry/Catch match on it.

With ``SFA_CONTENT_BUCKET`` set, content references in the conversation are resolved before the
provider is called and large answers are offloaded (``llm_gateway.content``). An event with
``sfa_op`` is a platform operation (``llm_gateway.platform_ops``: the tool invoker, the
history-budget continuation).

Importing this module loads no provider SDK; each is imported when its provider is first used.
"""

from __future__ import annotations

import time
from typing import Any

from llm_gateway.content import ContentLimits, finish_response, prepare_request
from llm_gateway.errors import InvalidRequest
from llm_gateway.gateway import Gateway
from llm_gateway.observability import logger
from llm_gateway.platform_ops import continue_conversation, invoke_tool
from llm_gateway.snapstart import install_hooks
from tool_sdk.content import ContentStore

# Under SnapStart the configured SDKs are imported before the snapshot (no-op elsewhere).
install_hooks()

__all__ = ["get_gateway", "handler", "set_gateway", "set_platform_clients"]

_gateway: Gateway | None = None
_clients: dict[str, Any] = {}
_SAFETY_MARGIN_S = 2.0  # leave time to report the error before Lambda's own timeout


def get_gateway() -> Gateway:
    """The process-wide gateway, configured from the environment on first use."""
    global _gateway
    if _gateway is None:
        _gateway = Gateway()
    return _gateway


def set_gateway(gateway: Gateway | None) -> None:
    """Install a preconfigured gateway (tests, local mode); None resets to the default."""
    global _gateway
    _gateway = gateway


def set_platform_clients(**clients: Any) -> None:
    """Inject ``s3``/``lambda``/``stepfunctions`` clients and/or a ``store`` (tests); empty resets."""
    _clients.clear()
    _clients.update(clients)


def _client(name: str) -> Any:
    if name not in _clients:
        import boto3

        _clients[name] = boto3.client(name)
    return _clients[name]


def _store() -> ContentStore | None:
    if "store" not in _clients:
        store = ContentStore.from_env()
        if store is not None:
            store._client = _clients.get("s3")
        _clients["store"] = store
    return _clients["store"]


def handler(event: dict[str, Any], context: Any = None) -> Any:
    deadline = None
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        deadline = time.monotonic() + remaining() / 1000.0 - _SAFETY_MARGIN_S
    if context is not None and hasattr(context, "aws_request_id"):
        logger.append_keys(request_id=context.aws_request_id)
    op = event.get("sfa_op") if isinstance(event, dict) else None
    if op == "invoke_tool":
        return invoke_tool(event, _store(), _client("lambda"))
    if op == "continue":
        return continue_conversation(event, _store(), _client("stepfunctions"))
    if op is not None:
        raise InvalidRequest(f"unknown platform operation {str(op)[:100]!r}")
    store, limits = _store(), ContentLimits.from_env()
    ref_messages = event.get("messages") if isinstance(event.get("messages"), list) else []
    request = prepare_request(event, store, limits)
    response = get_gateway().complete(request, deadline=deadline).to_dict()
    return finish_response(response, ref_messages, store, limits)
