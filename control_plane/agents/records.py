"""Typed views of ``AgentRegistry`` agent items: the spec plus what the regenerator derived.

Spec fields (written by ``apply``/``delete``): ``spec`` (native map, ``AgentSpec.canonical_dict()``),
``spec_sha256``, ``generation`` (bumped by every spec write), ``desired`` (``present``/``deleted``).
Derived fields (written by the regenerator only): everything else below. ``status`` is ``pending``
(spec not rendered yet), ``ready``, ``failed`` (``last_error`` says why; the live alias still serves
the last good version) or ``deleting``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent_templates import AgentSpec, validate_agent_spec

__all__ = ["AgentRecord", "AgentStatus", "LastError", "PendingVersion", "ToolRef"]

AgentStatus = Literal["pending", "ready", "failed", "deleting"]


class ToolRef(BaseModel):
    """A tool version an agent's live definition was rendered with."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    version: str
    lambda_arn: str
    status: str = "active"

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


class LastError(BaseModel):
    """Why the last regeneration failed, and at which rollout step."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: str
    message: str
    step: str
    retryable: bool
    at: str


class PendingVersion(BaseModel):
    """A version published by a failed attempt before its alias moved (reused by the retry)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    version_arn: str
    definition_sha256: str


class AgentRecord(BaseModel):
    """One agent item of ``AgentRegistry-{env}``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    agent_name: str
    spec: dict[str, Any]
    spec_sha256: str
    generation: int
    desired: Literal["present", "deleted"] = "present"
    status: AgentStatus = "pending"
    created_at: str
    updated_at: str
    # derived state
    state_machine_arn: str | None = None
    alias_arn: str | None = None
    live_version_arn: str | None = None
    previous_version_arn: str | None = None
    role_arn: str | None = None
    definition_sha256: str | None = None
    rendered_generation: int | None = None
    attempted_generation: int | None = Field(
        default=None, description="The spec generation the last regeneration (ok or failed) worked on."
    )
    resolved_tools: list[ToolRef] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    granted: list[str] = Field(default_factory=list, description="Invoke/PutEvents resources granted.")
    policy_mode: str | None = None
    policy_chars: int | None = None
    managed_policies: list[str] = Field(default_factory=list)
    pending_version: PendingVersion | None = None
    last_error: LastError | None = None
    rendered_at: str | None = None
    lease_token: str | None = None
    lease_expires_at: int | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> AgentRecord:
        return cls.model_validate(item)

    def agent_spec(self) -> AgentSpec:
        return validate_agent_spec(self.spec)

    @property
    def name(self) -> str:
        return self.agent_name

    @property
    def live_version(self) -> int | None:
        """The live version number (the last segment of the version ARN)."""
        if not self.live_version_arn:
            return None
        tail = self.live_version_arn.rsplit(":", 1)[-1]
        return int(tail) if tail.isdigit() else None

    @property
    def deployed(self) -> bool:
        return self.live_version_arn is not None

    @property
    def settled(self) -> bool:
        """Whether the regenerator has handled the current spec generation (successfully or not)."""
        if self.desired == "deleted":
            return False
        return self.attempted_generation == self.generation and self.status in ("ready", "failed")

    def summary(self) -> dict[str, Any]:
        """Plain JSON data for ``sfa agent list/show --json``."""
        return {
            "name": self.agent_name,
            "status": self.status,
            "desired": self.desired,
            "generation": self.generation,
            "rendered_generation": self.rendered_generation,
            "model": self.spec.get("model"),
            "selectors": list(self.spec.get("tools", [])),
            "tools": [t.model_dump() for t in self.resolved_tools],
            "state_machine_arn": self.state_machine_arn,
            "alias_arn": self.alias_arn,
            "live_version_arn": self.live_version_arn,
            "live_version": self.live_version,
            "previous_version_arn": self.previous_version_arn,
            "role_arn": self.role_arn,
            "definition_sha256": self.definition_sha256,
            "policy_mode": self.policy_mode,
            "policy_chars": self.policy_chars,
            "warnings": list(self.warnings),
            "last_error": self.last_error.model_dump() if self.last_error else None,
            "updated_at": self.updated_at,
            "rendered_at": self.rendered_at,
        }
