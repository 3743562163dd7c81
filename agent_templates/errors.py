"""Errors of ``agent_templates``: agent specs, tool resolution and rendering.

Every class derives from ``tool_sdk.errors.SfaError`` (the project's root), so callers can catch one
type. Validation-style errors carry ``problems`` (``tool_sdk.errors.Problem``: field path + message)
and list every problem found, not only the first.
"""

from __future__ import annotations

from tool_sdk.errors import Problem, SfaError

__all__ = [
    "AgentSpecError",
    "AgentSpecLoadError",
    "AgentSpecValidationError",
    "AgentTemplateError",
    "RenderError",
    "ToolResolutionError",
]


def _summary(problems: list[Problem]) -> str:
    return "; ".join(str(p) for p in problems)


class AgentTemplateError(SfaError):
    """Base class of every error raised by ``agent_templates``."""


class AgentSpecError(AgentTemplateError):
    """Base class of errors about an agent spec (the YAML a user writes)."""


class AgentSpecLoadError(AgentSpecError):
    """Raised when an agent spec file cannot be read, or is not valid YAML/JSON."""


class AgentSpecValidationError(AgentSpecError):
    """Raised when an agent spec is readable but invalid; ``problems`` lists every problem found,
    each with its field path (``tools.1``, ``approval.timeout_seconds``, ...)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"invalid agent spec ({len(self.problems)} problem(s)): {_summary(self.problems)}")


class ToolResolutionError(AgentTemplateError):
    """Raised by ``ToolResolution.raise_for_problems`` when a tool selector of a spec matches no
    usable tool version (``problems`` names each selector by its path, e.g. ``tools.0``)."""

    def __init__(self, agent: str, problems: list[Problem]) -> None:
        self.agent = agent
        self.problems = sorted(problems)
        super().__init__(f"cannot resolve the tools of agent {agent!r}: {_summary(self.problems)}")


class RenderError(AgentTemplateError):
    """Raised when a definition cannot be rendered from valid inputs: two resolved tools share a
    name, an ARN is malformed, or the definition exceeds the Step Functions size limit."""
