"""Errors of the regenerator (subclasses of the control plane's ``ControlPlaneError``)."""

from __future__ import annotations

from control_plane.errors import AwsError, ControlPlaneError

# Conflicts with a concurrent change (IAM, Step Functions) that a later attempt does not meet.
TRANSIENT_CODES = frozenset(
    {"ConcurrentModification", "ConcurrentModificationException", "ConflictException", "ServiceFailure"}
)

__all__ = ["RegenerationIncompleteError", "RegeneratorError", "RoleNameTakenError", "is_retryable"]


class RegeneratorError(ControlPlaneError):
    """Base class of errors raised by ``control_plane.regenerator``."""


class RegenerationIncompleteError(RegeneratorError):
    """Raised for a stream record whose regeneration failed with a retryable error, so that the
    batch reports it in ``batchItemFailures`` and the event source mapping retries it."""

    retryable = True


class RoleNameTakenError(RegeneratorError):
    """Raised when the agent's role name is held by a role that is not this agent's (another agent
    whose name differs only in case: IAM role names are case-insensitive). Not retryable."""


def is_retryable(exc: BaseException) -> bool:
    """Whether retrying the stream record can help: the error hierarchy's ``retryable`` flag
    (throttling, 5xx, lost conditional writes, transport errors — ``control_plane.aws.call`` maps
    botocore's errors), plus AWS's transient conflict codes. Anything else — access denied, an invalid
    request, a bug (``TypeError``) — fails the same way every time."""
    if isinstance(exc, AwsError) and exc.code in TRANSIENT_CODES:
        return True
    return isinstance(exc, ControlPlaneError) and exc.retryable is True
