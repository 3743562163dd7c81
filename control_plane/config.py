"""Environment configuration of the control-plane Lambdas (defaults follow docs/design.md §8 names).

========================================  ============================================
variable                                  default
========================================  ============================================
``SFA_ENV``                               ``dev``
``SFA_TOOL_REGISTRY_TABLE``               ``ToolRegistry-{env}``
``SFA_AGENT_REGISTRY_TABLE``              ``AgentRegistry-{env}``
``SFA_REGISTRY_BUS_NAME``                 ``sfa-registry-{env}``
``SFA_REGISTRAR_ALLOWED_PREFIXES``        the registrar's scope. Empty: only this environment's
                                          tool functions, ``tool-<id>-{env}``; else a comma-separated
                                          list of function-name prefixes (``tool-,team-a-``), or
                                          ``*``: any function of the account (an explicit opt-in)
``SFA_RELEASE_GRACE_SECONDS``             ``120``: how long a release in progress may take (code
                                          without a version bump, tags without code, torn tags)
                                          before the registrar decides (docs/registry.md)
``SFA_REGISTRAR_RECHECK_QUEUE_URL``       unset: no delayed re-check (the reconciler decides held
                                          changes); else the SQS queue feeding the registrar
========================================  ============================================

``SFA_ENV`` is lowercase letters and digits (no ``-``): resource names end in ``-{env}``, and the
environment must be the text after the last ``-`` (``control_plane.deployment``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from control_plane.deployment import is_tool_function_name, tool_function_pattern
from control_plane.errors import ConfigError

__all__ = [
    "ANY_FUNCTION",
    "ENV_PATTERN",
    "ControlPlaneConfig",
    "agent_registry_table_name",
    "registry_bus_name",
    "tool_registry_table_name",
]

# No "-": names like agent-{name}-{env} must split into (name, env) one way only (deployment.py).
ENV_PATTERN = r"^[a-z0-9]{1,31}$"
_ENV_RE = re.compile(ENV_PATTERN)
ANY_FUNCTION = "*"
"""``SFA_REGISTRAR_ALLOWED_PREFIXES=*``: the registrar registers any function of the account."""


def tool_registry_table_name(env: str) -> str:
    return f"ToolRegistry-{env}"


def agent_registry_table_name(env: str) -> str:
    return f"AgentRegistry-{env}"


def registry_bus_name(env: str) -> str:
    return f"sfa-registry-{env}"


@dataclass(frozen=True)
class ControlPlaneConfig:
    """Names and policies the registrar and reconciler run with."""

    env: str = "dev"
    tool_table: str = ""
    agent_table: str = ""
    bus_name: str = ""
    allowed_prefixes: tuple[str, ...] = ()
    release_grace_seconds: float = 120.0
    recheck_queue_url: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.release_grace_seconds <= 900:  # SQS DelaySeconds caps a re-check at 15 min
            raise ConfigError(
                f"SFA_RELEASE_GRACE_SECONDS must be between 0 and 900, not {self.release_grace_seconds}"
            )
        if not _ENV_RE.match(self.env):
            raise ConfigError(
                f"SFA_ENV {self.env!r} must match {ENV_PATTERN}: lowercase letters and digits, no '-' "
                "(resource names end in -<env>, so the environment must not contain the separator)"
            )
        if ANY_FUNCTION in self.allowed_prefixes and len(self.allowed_prefixes) > 1:
            raise ConfigError(
                "SFA_REGISTRAR_ALLOWED_PREFIXES: '*' (any function) cannot be combined with prefixes"
            )
        for attr, default in (
            ("tool_table", tool_registry_table_name(self.env)),
            ("agent_table", agent_registry_table_name(self.env)),
            ("bus_name", registry_bus_name(self.env)),
        ):
            if not getattr(self, attr):
                object.__setattr__(self, attr, default)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ControlPlaneConfig:
        e = os.environ if environ is None else environ
        prefixes = tuple(
            p.strip() for p in e.get("SFA_REGISTRAR_ALLOWED_PREFIXES", "").split(",") if p.strip()
        )
        return cls(
            env=e.get("SFA_ENV", "dev").strip() or "dev",
            tool_table=e.get("SFA_TOOL_REGISTRY_TABLE", "").strip(),
            agent_table=e.get("SFA_AGENT_REGISTRY_TABLE", "").strip(),
            bus_name=e.get("SFA_REGISTRY_BUS_NAME", "").strip(),
            allowed_prefixes=prefixes,
            release_grace_seconds=_seconds(e.get("SFA_RELEASE_GRACE_SECONDS", "")),
            recheck_queue_url=e.get("SFA_REGISTRAR_RECHECK_QUEUE_URL", "").strip(),
        )

    @property
    def registrar_scope(self) -> str:
        """The functions this environment's registrar registers, in words (for rejections, logs)."""
        if ANY_FUNCTION in self.allowed_prefixes:
            return "any function of the account (SFA_REGISTRAR_ALLOWED_PREFIXES=*)"
        if self.allowed_prefixes:
            return "functions named " + ", ".join(f"{p}*" for p in self.allowed_prefixes)
        return f"functions named {tool_function_pattern(self.env)} (tool-<id>-{self.env})"

    def function_allowed(self, function_name: str) -> bool:
        """Whether ``function_name`` is in the registrar's scope: by default this environment's tool
        functions only (``tool-<id>-{env}``); else the allow-list's prefixes, or anything (``*``)."""
        if ANY_FUNCTION in self.allowed_prefixes:
            return True
        if self.allowed_prefixes:
            return function_name.startswith(self.allowed_prefixes)
        return is_tool_function_name(function_name, self.env)

    def out_of_scope_message(self, function_name: str) -> str:
        """Why ``function_name`` may not register tools here (the ``function_not_allowed`` reason)."""
        return (
            f"function {function_name} is outside the scope of the {self.env} registrar, which "
            f"registers {self.registrar_scope} only"
        )


def _seconds(text: str) -> float:
    if not text.strip():
        return 120.0
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"SFA_RELEASE_GRACE_SECONDS must be a number of seconds, not {text!r}") from None
