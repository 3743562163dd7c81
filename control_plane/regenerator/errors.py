"""Errors of the regenerator (subclasses of the control plane's ``ControlPlaneError``)."""

from __future__ import annotations

from control_plane.errors import ControlPlaneError

__all__ = ["RegenerationIncompleteError", "RegeneratorError"]


class RegeneratorError(ControlPlaneError):
    """Base class of errors raised by ``control_plane.regenerator``."""


class RegenerationIncompleteError(RegeneratorError):
    """Raised for a stream record whose regeneration failed with a retryable error, so that the
    batch reports it in ``batchItemFailures`` and the event source mapping retries it."""

    retryable = True
