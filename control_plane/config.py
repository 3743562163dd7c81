"""Environment configuration of the control-plane Lambdas (defaults follow design.md §8 names).

========================================  ============================================
variable                                  default
========================================  ============================================
``SFA_ENV``                               ``dev``
``SFA_TOOL_REGISTRY_TABLE``               ``ToolRegistry-{env}``
``SFA_AGENT_REGISTRY_TABLE``              ``AgentRegistry-{env}``
``SFA_REGISTRY_BUS_NAME``                 ``sfa-registry-{env}``
``SFA_REGISTRAR_ALLOWED_PREFIXES``        empty: any function may register; else a comma-separated
                                          list of function-name prefixes (``tool-,team-a-``)
``SFA_RELEASE_GRACE_SECONDS``             ``120``: how long a release in progress may take (code
                                          without a version bump, tags without code, torn tags)
                                          before the registrar decides (docs/registry.md)
``SFA_REGISTRAR_RECHECK_QUEUE_URL``       unset: no delayed re-check (the reconciler decides held
                                          changes); else the SQS queue feeding the registrar
========================================  ============================================
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from control_plane.errors import ConfigError

__all__ = [
    "ENV_PATTERN",
    "ControlPlaneConfig",
    "agent_registry_table_name",
    "registry_bus_name",
    "tool_registry_table_name",
]

ENV_PATTERN = r"^[a-z0-9][a-z0-9-]{0,30}$"
_ENV_RE = re.compile(ENV_PATTERN)


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
            raise ConfigError(f"SFA_ENV {self.env!r} must match {ENV_PATTERN}")
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

    def function_allowed(self, function_name: str) -> bool:
        """Whether the allow-list (if any) lets ``function_name`` register tools."""
        return not self.allowed_prefixes or function_name.startswith(self.allowed_prefixes)


def _seconds(text: str) -> float:
    if not text.strip():
        return 120.0
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"SFA_RELEASE_GRACE_SECONDS must be a number of seconds, not {text!r}") from None
