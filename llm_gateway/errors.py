"""The gateway's error hierarchy.

The Lambda runtime reports an exception's class name as ``errorType`` and Step Functions' ``Retry`` and
``Catch`` match on it, so the class names below are a public contract: keep them stable. The
retryable ones (``RateLimited``, ``ProviderTimeout``, ``ProviderUnavailable``) are the names in the
agent template's gateway ``Retry`` list (``agent_templates.states.GATEWAY_RETRYABLE_ERRORS``); every
other gateway error is final for that model, and the gateway tries the next fallback model.

Each provider maps everything its SDK call raises to these at exactly one seam (its ``_map_error``
function; :func:`llm_gateway.providers.base.unexpected_error` for what is not an SDK error), and the
gateway maps whatever a provider still lets through (:meth:`llm_gateway.gateway.Gateway`). The
gateway's own AWS calls (S3, Lambda, Step Functions, Secrets Manager) are mapped at one seam too
(:func:`llm_gateway.aws.aws_error`). Messages never contain API keys (provider text is passed through
:func:`llm_gateway.secrets.redact`).
"""

from __future__ import annotations

from typing import ClassVar

from tool_sdk.errors import SfaError

__all__ = [
    "AuthenticationFailed",
    "CallerNotAllowed",
    "ContextWindowExceeded",
    "GatewayError",
    "InvalidRequest",
    "PlatformCallFailed",
    "ProviderIncompatible",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "ToolFunctionError",
    "ToolNotAllowed",
    "tool_error",
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
    RESOURCE_EXHAUSTED), or an AWS service the gateway calls itself does (Secrets Manager, S3 SlowDown,
    Step Functions). ``retry_after`` carries the provider's hint in seconds when it sent one."""

    retryable = True


class ProviderTimeout(GatewayError):
    """Raised when a request does not complete within the gateway's per-request timeout (or the
    provider reports a model timeout, e.g. Bedrock ModelTimeoutException), and when an AWS call of
    the gateway itself times out (reading the key secret, the content bucket)."""

    retryable = True


class ProviderUnavailable(GatewayError):
    """Raised on server-side failures: HTTP 5xx/529 (overloaded), connection errors, or a response
    the gateway cannot use (e.g. Gemini's MALFORMED_FUNCTION_CALL); also when an AWS service the
    gateway calls itself (Secrets Manager, S3, Step Functions) answers 5xx or cannot be reached."""

    retryable = True


class InvalidRequest(GatewayError):
    """Raised when the request is malformed (bad messages, unknown model or alias, unpaired tool
    calls/results, a tool schema the provider cannot accept) or the provider answers 400/404/422."""


class AuthenticationFailed(GatewayError):
    """Raised when no API key is configured for the provider (the message says which key and where to
    put it), the key secret cannot be read for a reason retrying cannot fix (it does not exist,
    access denied, not JSON), or the provider rejects the credentials (HTTP 401/403, AccessDenied).
    A transient failure to read the secret (throttling, 5xx, timeout) is retryable instead."""


class ContextWindowExceeded(GatewayError):
    """Raised when the prompt (messages + tools) exceeds the model's context window."""


class ProviderIncompatible(GatewayError):
    """Raised when a provider call fails without an answer from the provider, in a way retrying
    cannot fix: the installed SDK rejects the call itself (a ``TypeError`` for a parameter its
    release no longer accepts, such as ``temperature``; botocore's ``ParamValidationError``) or
    raises an exception that is not one of its API errors. Not retryable, but like every gateway
    error it lets the gateway try the next fallback model."""


class PlatformCallFailed(GatewayError):
    """Raised when an AWS call the gateway makes for the platform (content bucket S3 reads/writes,
    Step Functions DescribeExecution/DescribeStateMachine) fails in a way retrying cannot fix:
    access denied, a missing resource, a rejected parameter, no credentials. Transient failures of
    the same calls are ``RateLimited``/``ProviderTimeout``/``ProviderUnavailable``."""


class ToolFunctionError(SfaError):
    """Raised by the gateway's tool invoker when the tool's Lambda failed. Each raise uses a
    subclass named after the tool's own ``errorType`` (``ValueError``, ``Sandbox.Timedout``…), or —
    when the ``Invoke`` call itself failed — ``Lambda.<code>`` (``Lambda.TooManyRequestsException``),
    so Step Functions sees the same error as if it had invoked the tool directly (:func:`tool_error`)."""


def tool_error(error_type: str, message: str) -> ToolFunctionError:
    """A ToolFunctionError whose class name is ``error_type`` (what Lambda reports as errorType)."""
    cls = type(error_type or "ToolError", (ToolFunctionError,), {"__doc__": "A tool's own error."})
    return cls(message)


class ToolNotAllowed(InvalidRequest):
    """Raised by ``invoke_tool`` when it refuses the function: outside the tool cap (a published
    version of ``tool-<id>-{env}`` in the gateway's own account and region, or of a function
    ``SFA_EXTRA_TOOL_FUNCTION_ARNS`` names), the request names no running execution of this
    environment's agents in the gateway's account and region, or the function is not in the tool
    set that execution's state machine (version) definition embeds. Nothing in the request itself
    (such as a list of allowed ARNs) grants anything. The agent's Catch turns it into an error
    result."""


class CallerNotAllowed(InvalidRequest):
    """Raised by the ``continue`` operation when the execution it names is not a running execution
    of an ``agent-<name>-{env}`` state machine in the gateway's own account and region (the gateway
    describes and continues only its own environment's agents)."""
