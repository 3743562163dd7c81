"""Agents: the ``AgentRegistry-{env}`` store (specs, derived state, selector index), agent IAM
documents, and running agents. ``apply_agent``/``delete_agent`` are the spec-write API; the
regenerator (``control_plane.regenerator``) turns specs into state machines, aliases and roles."""

from __future__ import annotations

from typing import Any

from agent_templates import AgentSpec
from control_plane.agents.errors import (
    AgentBusyError,
    AgentConflictError,
    AgentError,
    AgentNotFoundError,
    PolicyTooLargeError,
)
from control_plane.agents.records import AgentRecord, LastError, PendingVersion, ToolRef
from control_plane.agents.store import AgentRegistry, ApplyResult
from control_plane.config import ControlPlaneConfig

__all__ = [
    "AgentBusyError",
    "AgentConflictError",
    "AgentError",
    "AgentNotFoundError",
    "AgentRecord",
    "AgentRegistry",
    "ApplyResult",
    "LastError",
    "PendingVersion",
    "PolicyTooLargeError",
    "ToolRef",
    "apply_agent",
    "delete_agent",
]


def _registry(registry: AgentRegistry | None, client: Any | None) -> AgentRegistry:
    return registry or AgentRegistry.from_config(ControlPlaneConfig.from_env(), client)


def apply_agent(
    spec: AgentSpec, *, registry: AgentRegistry | None = None, client: Any | None = None, force: bool = False
) -> ApplyResult:
    """Write ``spec`` to ``AgentRegistry-{env}``; the regenerator renders it from the stream."""
    return _registry(registry, client).apply(spec, force=force)


def delete_agent(
    name: str, *, registry: AgentRegistry | None = None, client: Any | None = None
) -> AgentRecord:
    """Mark agent ``name`` deleted; the regenerator deletes its state machine, alias and role."""
    return _registry(registry, client).delete(name)
