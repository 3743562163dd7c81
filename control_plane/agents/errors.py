"""Errors of the agent registry (``AgentRegistry-{env}``) and of agent IAM sizing.

All derive from ``control_plane.errors.ControlPlaneError`` (rooted at ``tool_sdk.errors.SfaError``).
"""

from __future__ import annotations

from control_plane.errors import ControlPlaneError

__all__ = [
    "AgentConflictError",
    "AgentError",
    "AgentNotFoundError",
    "AgentWaitTimeoutError",
    "PolicyTooLargeError",
]


class AgentError(ControlPlaneError):
    """Base class of errors about registered agents."""


class AgentNotFoundError(AgentError):
    """Raised when no agent of that name is registered (or it has been deleted)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no agent named {name!r} is registered")
        self.name = name


class AgentConflictError(AgentError):
    """Raised when a spec write lost against a concurrent write of the same agent; retry it."""

    retryable = True


class PolicyTooLargeError(AgentError):
    """Raised when an agent's invoke grants cannot fit IAM's limits even with the naming-convention
    wildcard and the maximum number of managed policies (a configuration problem: not retryable)."""


class AgentWaitTimeoutError(AgentError):
    """Raised by ``AgentRegistry.wait`` when the regenerator did not handle a spec change in time."""

    retryable = True
