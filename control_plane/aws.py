"""The one seam between the control plane and botocore.

Every AWS call of the control plane goes through :func:`call`, which turns botocore's
``ClientError``/``BotoCoreError`` into the typed errors of :mod:`control_plane.errors`. Clients are
always injected; :func:`client_or_default` creates one lazily (never at import time) when the caller
passed ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from control_plane.errors import (
    AwsAccessDeniedError,
    AwsError,
    AwsResourceNotFoundError,
    AwsThrottledError,
    AwsValidationError,
    ConditionFailedError,
    ReleaseRaceError,
)

__all__ = ["call", "client_or_default", "translate_client_error"]

T = TypeVar("T")

_NOT_FOUND = {"ResourceNotFoundException", "ResourceNotFound", "NoSuchEntity", "NotFoundException"}
_THROTTLED = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "ThrottlingError",
}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "KMSAccessDeniedException"}
_INVALID = {
    "ValidationException",
    "ValidationError",
    "InvalidParameterValueException",
    "SerializationException",
    "ItemCollectionSizeLimitExceededException",
}
_CONFLICT = {"ConditionalCheckFailedException", "TransactionConflictException", "ConditionalCheckFailed"}


def client_or_default(service: str, client: Any | None) -> Any:
    """``client`` if given, else a new boto3 client for ``service`` (standard retry mode)."""
    if client is not None:
        return client
    import boto3
    from botocore.config import Config

    return boto3.client(service, config=Config(retries={"mode": "standard", "max_attempts": 5}))


def call(method: Callable[..., T], /, **params: Any) -> T:
    """Call a boto3 client method with ``params``, mapping AWS errors to control-plane errors."""
    try:
        return method(**params)
    except ClientError as exc:
        raise translate_client_error(exc, getattr(method, "__name__", "")) from None
    except BotoCoreError as exc:  # connection errors, timeouts: the service may be fine again soon
        raise AwsError(f"{getattr(method, '__name__', 'AWS call')} failed: {exc}", retryable=True) from None


def translate_client_error(exc: ClientError, operation: str = "") -> AwsError:
    """The control-plane error for a botocore ``ClientError``."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    message = f"{operation or exc.operation_name}: {code}: {error.get('Message', '')}".strip()
    op = operation or exc.operation_name
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code == "TransactionCanceledException":
        reasons = tuple(str(r.get("Code") or "None") for r in exc.response.get("CancellationReasons") or [])
        if any(r in _THROTTLED for r in reasons):
            return AwsThrottledError(message, operation=op, code=code, retryable=True)
        if any(r in _INVALID for r in reasons):
            return AwsValidationError(message, operation=op, code=code)
        return ConditionFailedError(message, operation=op, code=code, reasons=reasons)
    if code == "PreconditionFailedException":  # PublishVersion's CodeSha256/RevisionId check
        return ReleaseRaceError(message, operation=op, code=code)
    if code in _CONFLICT:
        return ConditionFailedError(message, operation=op, code=code, reasons=(code,))
    if code in _NOT_FOUND:
        return AwsResourceNotFoundError(message, operation=op, code=code)
    if code in _THROTTLED:
        return AwsThrottledError(message, operation=op, code=code, retryable=True)
    if code in _DENIED:
        return AwsAccessDeniedError(message, operation=op, code=code)
    if code in _INVALID:
        return AwsValidationError(message, operation=op, code=code)
    return AwsError(message, operation=op, code=code, retryable=status >= 500)
