"""The control plane's error hierarchy (one tree, rooted at ``tool_sdk.errors.SfaError``).

botocore's ``ClientError`` never escapes the control plane: :mod:`control_plane.aws` maps it to one of
the classes below at a single seam. ``retryable`` tells a handler whether failing the invocation (so
Lambda / EventBridge retry it) can help.
"""

from __future__ import annotations

from tool_sdk.errors import SfaError

__all__ = [
    "AwsAccessDeniedError",
    "AwsError",
    "AwsResourceNotFoundError",
    "AwsThrottledError",
    "AwsValidationError",
    "ConcurrentModificationError",
    "ConditionFailedError",
    "ConfigError",
    "ControlPlaneError",
    "EventParseError",
    "EventPublishError",
    "InvalidQueryError",
    "LifecycleError",
    "RegistryError",
    "ReleaseRaceError",
    "ToolNotFoundError",
    "VersionNotFoundError",
]


class ControlPlaneError(SfaError):
    """Base class of every error raised by ``control_plane``."""

    retryable: bool = False


class ConfigError(ControlPlaneError):
    """Raised when the environment configuration (env vars, arguments) is invalid."""


class AwsError(ControlPlaneError):
    """Raised for an AWS API error that has no more specific class here.

    ``operation`` is the API operation, ``code`` AWS's error code; ``retryable`` is True for
    server-side (5xx) failures.
    """

    def __init__(self, message: str, *, operation: str = "", code: str = "", retryable: bool = False):
        super().__init__(message)
        self.operation = operation
        self.code = code
        self.retryable = retryable


class AwsResourceNotFoundError(AwsError):
    """Raised when AWS says the addressed resource (function, table, bus) does not exist."""


class AwsThrottledError(AwsError):
    """Raised when AWS throttled the call or capacity was exceeded after botocore's own retries."""


class AwsAccessDeniedError(AwsError):
    """Raised when the caller's IAM permissions do not allow the call."""


class AwsValidationError(AwsError):
    """Raised when AWS rejects the request as malformed (a bug here, or an unstorable value)."""


class ConditionFailedError(AwsError):
    """Raised when a conditional DynamoDB write (or a transaction) lost against a concurrent writer.

    ``reasons`` holds the per-item cancellation codes of a cancelled transaction.
    """

    def __init__(self, message: str, *, operation: str = "", code: str = "", reasons: tuple[str, ...] = ()):
        super().__init__(message, operation=operation, code=code, retryable=True)
        self.reasons = reasons


class RegistryError(ControlPlaneError):
    """Base class of errors of the tool registry's read API."""


class InvalidQueryError(RegistryError, ValueError):
    """Raised when registry query arguments are malformed (bad name, version range or status)."""


class ToolNotFoundError(RegistryError):
    """Raised by ``ToolRegistry.get`` when a tool has no item matching the request at all."""

    def __init__(self, name: str, version: str = "latest") -> None:
        super().__init__(f"tool {name!r} has no {'active version' if version == 'latest' else version!r}")
        self.name = name
        self.version = version


class VersionNotFoundError(ToolNotFoundError):
    """Raised by ``ToolRegistry.get`` when the tool exists but no version matches the request."""


class ReleaseRaceError(AwsError):
    """Raised when a function changed between the registrar's read and its ``PublishVersion``
    (``PreconditionFailedException``, or a published version that differs from what was validated);
    the registrar re-reads and plans again."""

    def __init__(self, message: str, *, operation: str = "PublishVersion", code: str = "") -> None:
        super().__init__(message, operation=operation, code=code, retryable=True)


class LifecycleError(RegistryError):
    """Raised by ``sfa tools deprecate|disable|activate|rollback`` for a change the registry cannot
    make (unknown version, a version the registrar disabled, a rollback target that is not usable)."""


class ConcurrentModificationError(ControlPlaneError):
    """Raised when the registrar kept losing conditional writes to concurrent writers; retry later."""

    retryable = True


class EventPublishError(ControlPlaneError):
    """Raised when PutEvents reported failed entries that did not succeed on retry.

    ``failures`` lists ``(detail_type, error_code, error_message)`` of the entries that failed.
    """

    retryable = True

    def __init__(self, message: str, failures: list[tuple[str, str, str]]) -> None:
        super().__init__(message)
        self.failures = failures


class EventParseError(ControlPlaneError):
    """Raised by ``parse_event`` for an event that is not a valid registry-bus event."""
