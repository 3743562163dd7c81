"""The provider interface: a tiny class with one method, ``complete(call) -> GatewayResponse``.

Capabilities are class attributes. A provider translates the canonical request into its SDK's
wire format and the SDK's answer back (through :meth:`GatewayResponse.build`), and maps SDK errors
to :mod:`llm_gateway.errors` in exactly one place. Provider SDKs are imported inside the provider
module's functions, on first use, never at import time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, ClassVar

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
from llm_gateway.models import GatewayRequest, GatewayResponse, ToolSpec

__all__ = [
    "ClientCache",
    "Provider",
    "ProviderCall",
    "dumps",
    "header_retry_after",
    "map_http_status",
    "tool_result_text",
    "unexpected_error",
]


class ClientCache:
    """One SDK client per (key, endpoint, timeout), built on first use and shared by threads.

    SDK clients hold connection pools: reusing them across invocations of a warm Lambda saves the
    TLS handshake on every call.
    """

    def __init__(self) -> None:
        self._clients: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = build()
        return client


@dataclass(frozen=True)
class ProviderCall:
    """One model call: the canonical request, the provider's model id, the tools with their schemas
    already translated for this provider, and the connection settings."""

    model: str
    request: GatewayRequest
    tools: tuple[ToolSpec, ...]
    api_key: str | None
    timeout_s: float
    base_url: str | None = None
    region: str | None = None


class Provider:
    """Base class of providers. Subclasses set ``name`` and override :meth:`complete`."""

    name: ClassVar[str] = ""
    needs_api_key: ClassVar[bool] = True  # False: credentials come from elsewhere (IAM) or none
    parallel_tool_calls: ClassVar[bool] = True  # can return several tool calls in one turn
    schema_dialect: ClassVar[str | None] = None  # translator in llm_gateway.schemas; None = as is
    is_language_model: ClassVar[bool] = True

    def complete(self, call: ProviderCall) -> GatewayResponse:  # pragma: no cover - interface
        raise NotImplementedError


def tool_result_text(content: Any) -> str:
    """A tool_result's content as text (strings as is, text blocks joined)."""
    if isinstance(content, str):
        return content
    return "\n".join(getattr(b, "text", "") for b in content)


def header_retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` / ``retry-after`` (delta-seconds form) headers, if any."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw) * scale)
        except (TypeError, ValueError):
            continue
    return None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def map_http_status(
    status: int,
    message: str,
    *,
    retry_after: float | None = None,
    context_markers: tuple[str, ...] = (),
) -> GatewayError:
    """The HTTP status → gateway error rule shared by the HTTP providers (used inside each
    provider's single ``_map_error`` seam)."""
    lowered = message.lower()
    kwargs: dict[str, Any] = {"status_code": status}
    if status == 429:
        return RateLimited(message, retry_after=retry_after, **kwargs)
    if status in (401, 403):
        return AuthenticationFailed(message, **kwargs)
    if status == 413 or (status == 400 and any(m in lowered for m in context_markers)):
        return ContextWindowExceeded(message, **kwargs)
    if status == 408:
        return ProviderTimeout(message, **kwargs)
    if status >= 500:
        return ProviderUnavailable(message, retry_after=retry_after, **kwargs)
    return InvalidRequest(message, **kwargs)


def unexpected_error(exc: BaseException) -> GatewayError:
    """The gateway error for an exception of a provider call that is not one of its SDK's API
    errors (used inside each provider's ``_map_error`` seam, and by the gateway for providers that
    let one through): a timeout or an OS-level connection failure is retryable; anything else —
    a ``TypeError`` because the installed SDK no longer accepts a parameter, an ``AttributeError``
    from a changed reply object — fails the same way again: ``ProviderIncompatible``."""
    from llm_gateway.secrets import redact

    if isinstance(exc, GatewayError):
        return exc
    message = f"{type(exc).__name__}: {redact(str(exc))}"
    if isinstance(exc, TimeoutError):
        return ProviderTimeout(message)
    if isinstance(exc, OSError):
        return ProviderUnavailable(message)
    return ProviderIncompatible(message)
