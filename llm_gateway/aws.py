"""The one seam where the gateway's own AWS calls' errors become gateway errors.

The gateway calls AWS for the platform — the content bucket (S3), the key secret (Secrets Manager,
:mod:`llm_gateway.secrets`), the calling execution and its definition (Step Functions,
:mod:`llm_gateway.callers`) and, in the tool invoker, the tool's Lambda. A raw botocore
``ClientError`` would reach Step Functions as ``errorType: ClientError``, which no ``Retry`` of the
agent template names, so :func:`aws_error` maps every botocore exception, once, by what retrying can
do about it:

* throttling (``ThrottlingException``, S3 ``SlowDown``, HTTP 429, …) → :class:`RateLimited`;
* timeouts → :class:`ProviderTimeout`;
* 5xx answers and connection failures → :class:`ProviderUnavailable`;
* anything else (access denied, a missing resource, a rejected parameter) → :class:`PlatformCallFailed`.

The three retryable names are the ones the template's gateway ``Retry`` lists
(``agent_templates.states.GATEWAY_RETRYABLE_ERRORS``). The tool's own ``Invoke`` is the exception:
its errors are raised as ``Lambda.<code>`` (:func:`llm_gateway.errors.tool_error`), the name
Step Functions gives the same failure when it invokes a tool directly, so the template's tool
``Retry`` (``Lambda.TooManyRequestsException``, ``Lambda.ServiceException``, …) applies unchanged.

botocore is never imported here: when it was never imported, no exception can be one of its own.
"""

from __future__ import annotations

import sys
from typing import Any

from llm_gateway.errors import (
    PlatformCallFailed,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    tool_error,
)
from tool_sdk.errors import SfaError

__all__ = ["THROTTLING_CODES", "TRANSIENT_CODES", "aws_error", "botocore_error", "error_code"]

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "SlowDown",
        "EC2ThrottledException",
    }
)
TRANSIENT_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "InternalServiceError",
        "InternalServiceErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServiceException",
        "ResourceNotReadyException",
    }
)
_TRANSIENT_STATUS = frozenset({500, 502, 503, 504})


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ``ClientError`` (``""`` for anything else)."""
    response = getattr(exc, "response", None)
    error = response.get("Error") if isinstance(response, dict) else None
    return str(error.get("Code") or "") if isinstance(error, dict) else ""


def botocore_error(exc: BaseException | None) -> BaseException | None:
    """``exc`` or the exception it was raised from/while handling, if that is a botocore one
    (Powertools, for one, wraps the botocore error of a failed secret read in its own)."""
    module = sys.modules.get("botocore.exceptions")
    if module is None:
        return None
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, module.BotoCoreError | module.ClientError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def aws_error(exc: BaseException, *, service: str | None = None) -> SfaError | None:
    """The gateway error for a botocore exception (None when ``exc`` is not one: gateway errors,
    tool errors and content errors pass through unchanged)."""
    if isinstance(exc, SfaError):
        return None
    from llm_gateway.secrets import redact  # secrets maps its own errors through this module

    found = botocore_error(exc)
    if found is None:
        return None
    bex: Any = sys.modules["botocore.exceptions"]
    where = service or "aws"
    if isinstance(found, bex.ClientError):
        code = error_code(found)
        response: dict[str, Any] = found.response if isinstance(found.response, dict) else {}
        status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        text = redact(str(response.get("Error", {}).get("Message") or ""))
        operation = getattr(found, "operation_name", None) or "call"
        message = f"{operation}: {code or 'error'} (HTTP {status}): {text}"
        if operation == "Invoke":  # the tool's Lambda: the name a direct invoke would fail with
            return tool_error(f"Lambda.{code or 'AWSLambdaException'}", message)
        if code in THROTTLING_CODES or status == 429:
            return RateLimited(message, provider=where, status_code=status)
        if code in TRANSIENT_CODES or status in _TRANSIENT_STATUS:
            return ProviderUnavailable(message, provider=where, status_code=status)
        return PlatformCallFailed(message, provider=where, status_code=status)
    message = f"{type(found).__name__}: {redact(str(found))}"
    if isinstance(found, bex.ReadTimeoutError | bex.ConnectTimeoutError):
        return ProviderTimeout(message, provider=where)
    transient = (bex.ConnectionError, bex.HTTPClientError, bex.IncompleteReadError)
    if isinstance(found, transient):
        return ProviderUnavailable(message, provider=where)
    return PlatformCallFailed(message, provider=where)
