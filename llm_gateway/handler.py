"""The LLM gateway Lambda: ``handler(event, context)``.

``event`` is the normalized request (design.md §6); the return value is the normalized response.
On failure the handler raises the gateway error class itself (``RateLimited``, ``ProviderTimeout``,
``ProviderUnavailable``, ``InvalidRequest``, ``AuthenticationFailed``, ``ContextWindowExceeded``): the
Lambda runtime reports the class name as ``errorType`` and Step Functions' Retry/Catch match on it.

Importing this module loads no provider SDK; each is imported when its provider is first used.
"""

from __future__ import annotations

import time
from typing import Any

from llm_gateway.gateway import Gateway
from llm_gateway.observability import logger
from llm_gateway.snapstart import install_hooks

# Under SnapStart the configured SDKs are imported before the snapshot (no-op elsewhere).
install_hooks()

__all__ = ["get_gateway", "handler", "set_gateway"]

_gateway: Gateway | None = None
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


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    deadline = None
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        deadline = time.monotonic() + remaining() / 1000.0 - _SAFETY_MARGIN_S
    if context is not None and hasattr(context, "aws_request_id"):
        logger.append_keys(request_id=context.aws_request_id)
    return get_gateway().complete(event, deadline=deadline).to_dict()
