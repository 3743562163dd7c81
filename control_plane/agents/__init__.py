"""Agents: the ``AgentRegistry-{env}`` store (specs, derived state, selector index), agent IAM
documents, and running agents. ``apply_agent``/``delete_agent`` are the spec-write API; the
regenerator (``control_plane.regenerator``) turns specs into state machines, aliases and roles."""

from __future__ import annotations

from typing import Any

from agent_templates import AgentSpec
from control_plane.agents.errors import (
    AgentConflictError,
    AgentError,
    AgentNotFoundError,
    AgentWaitTimeoutError,
    PolicyTooLargeError,
)
from control_plane.agents.records import AgentRecord, LastError, PendingVersion, ToolRef
from control_plane.agents.runs import AgentNotDeployedError, AgentRunner, RunResult, TimelineEntry, timeline
from control_plane.agents.store import AgentRegistry, ApplyResult
from control_plane.config import ControlPlaneConfig

__all__ = [
    "AgentConflictError",
    "AgentError",
    "AgentNotDeployedError",
    "AgentNotFoundError",
    "AgentRecord",
    "AgentRegistry",
    "AgentRunner",
    "AgentWaitTimeoutError",
    "ApplyResult",
    "LastError",
    "PendingVersion",
    "PolicyTooLargeError",
    "RunResult",
    "TimelineEntry",
    "ToolRef",
    "apply_agent",
    "delete_agent",
    "timeline",
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
