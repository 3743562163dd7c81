"""Errors of the local emulator (docs/design.md §9).

They derive from ``tool_sdk.errors.SfaError`` so a caller of the ``sfa`` CLI can catch every project
error with one type. Only problems of the emulator itself are errors here: a Lambda handler that
raises is *not* an emulator error — it is reported to the caller in Lambda's own error shape, as AWS
does.
"""

from __future__ import annotations

from tool_sdk.errors import SfaError

__all__ = [
    "EmulatorAlreadyRunningError",
    "EmulatorError",
    "EmulatorNotRunningError",
    "LocalError",
    "RuntimeNotAvailableError",
]


class LocalError(SfaError):
    """Base class of the errors raised by the ``local`` package."""


class EmulatorError(LocalError):
    """The embedded AWS emulator could not be started, configured or reset."""


class EmulatorAlreadyRunningError(EmulatorError):
    """A second emulator was started in one process.

    moto keeps its state in process-global backends and Step Functions tasks find the server through
    the process-global ``MOTO_PORT``: two emulators in one process would silently share (and fight
    over) both, so only one may run at a time.
    """


class EmulatorNotRunningError(EmulatorError):
    """An operation needs a started emulator (call ``LocalAws.start()`` or use it as a context)."""


class RuntimeNotAvailableError(LocalError):
    """A Lambda runtime the local runner needs (for example ``node``) is not installed."""
