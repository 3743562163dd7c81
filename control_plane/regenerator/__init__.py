"""The regenerator (docs/design.md §1): keeps agent state machines, ``live`` aliases and roles in step with
their specs and the tool registry. Pure core in ``changes``/``plan``; AWS in ``rollout``/``roles``;
``service.Regenerator`` ties them; ``handler`` is the Lambda entry point (DynamoDB streams)."""

from control_plane.regenerator.changes import (
    AgentChange,
    ToolChange,
    affected_agents,
    agent_change,
    tool_change,
)
from control_plane.regenerator.config import RegeneratorConfig
from control_plane.regenerator.errors import RegenerationIncompleteError, RegeneratorError
from control_plane.regenerator.outcome import AgentOutcome
from control_plane.regenerator.plan import Decision, Rendered, decide, render
from control_plane.regenerator.rollout import Progress, Rollout
from control_plane.regenerator.service import Regenerator

__all__ = [
    "AgentChange",
    "AgentOutcome",
    "Decision",
    "Progress",
    "RegenerationIncompleteError",
    "Regenerator",
    "RegeneratorConfig",
    "RegeneratorError",
    "Rendered",
    "Rollout",
    "ToolChange",
    "affected_agents",
    "agent_change",
    "decide",
    "render",
    "tool_change",
]
