"""The gateway's error hierarchy.

The Lambda runtime reports an exception's class name as ``errorType`` and Step Functions' ``Retry`` and
``Catch`` match on it, so the six class names below are a public contract: keep them stable. Each
provider maps its SDK's errors to these at exactly one seam (its ``_map_error`` function). Messages
never contain API keys (provider text is passed through :func:`llm_gateway.secrets.redact`).
"""

from __future__ import annotations

from typing import ClassVar

from tool_sdk.errors import SfaError

__all__ = [
    "AuthenticationFailed",
    "ContextWindowExceeded",
    "GatewayError",
    "InvalidRequest",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "ToolFunctionError",
    "ToolNotAllowed",
]


class GatewayError(SfaError):
    """Base of every gateway error. ``retryable`` says whether trying again may succeed."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.provider = provider
        self.model = model
        self.status_code = status_code
        self.retry_after = retry_after
        super().__init__(message)

    def __str__(self) -> str:
        if self.provider and self.model:
            return f"{self.provider}:{self.model}: {self.message}"
        return f"{self.provider}: {self.message}" if self.provider else self.message


class RateLimited(GatewayError):
    """Raised when the provider throttles the caller (HTTP 429, Bedrock ThrottlingException, Gemini
    RESOURCE_EXHAUSTED). ``retry_after`` carries the provider's hint in seconds when it sent one."""

    retryable = True


class ProviderTimeout(GatewayError):
    """Raised when a request does not complete within the gateway's per-request timeout (or the
    provider reports a model timeout, e.g. Bedrock ModelTimeoutException)."""

    retryable = True


class ProviderUnavailable(GatewayError):
    """Raised on server-side failures: HTTP 5xx/529 (overloaded), connection errors, or a response
    the gateway cannot use (e.g. Gemini's MALFORMED_FUNCTION_CALL)."""

    retryable = True


class InvalidRequest(GatewayError):
    """Raised when the request is malformed (bad messages, unknown model or alias, unpaired tool
    calls/results, a tool schema the provider cannot accept) or the provider answers 400/404/422."""


class AuthenticationFailed(GatewayError):
    """Raised when no API key is configured for the provider (the message says which key and where to
    put it) or the provider rejects the credentials (HTTP 401/403, AccessDenied)."""


class ContextWindowExceeded(GatewayError):
    """Raised when the prompt (messages + tools) exceeds the model's context window."""


class ToolFunctionError(SfaError):
    """Raised by the gateway's tool invoker when the tool's Lambda failed. Each raise uses a
    subclass named after the tool's own ``errorType`` (``ValueError``, ``Sandbox.Timedout``…), so
    Step Functions sees the same error as if it had invoked the tool directly."""


class ToolNotAllowed(InvalidRequest):
    """``invoke_tool`` refused the function: not a tool of the calling agent's definition (its
    ``allowed`` list) or outside the tool cap (``tool-*-{env}`` and ``SFA_EXTRA_TOOL_FUNCTION_ARNS``,
    the agent permissions boundary's cap). The agent's Catch turns it into an error result."""
