"""Typed details of the registry bus's events (docs/design.md §5).

Every detail carries ``schema_version`` (an integer bumped on a breaking change) and ``occurred_at``
(ISO 8601 UTC). Unknown fields are ignored when parsing so consumers keep working when a producer
adds a field; removing or retyping a field is a breaking change and bumps ``schema_version``.
The JSON Schemas in ``control_plane/events/schemas/`` are generated from these models.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "EVENT_SOURCE",
    "SCHEMA_VERSION",
    "AgentRegenerated",
    "AgentRegenerationFailed",
    "DeregistrationReason",
    "RegistryEventDetail",
    "RejectionCode",
    "RejectionReason",
    "ResolvedTool",
    "ToolApprovalRequested",
    "ToolDeregistered",
    "ToolRegistered",
    "ToolRejected",
    "ToolUpdated",
]

EVENT_SOURCE = "sfn-agents.registry"
SCHEMA_VERSION = 1

# "disabled": an operator disabled the version (sfa tools disable). "superseded" is no longer emitted
# (older versions stay registered since they run published Lambda versions) but stays parseable.
DeregistrationReason = Literal[
    "superseded", "manifest_removed", "function_deleted", "owner_deleted", "version_deleted", "disabled"
]
RejectionCode = Literal[
    "tags_unreadable",  # the manifest tags do not decode (missing/foreign parts, bad digest, …)
    "invalid_manifest",  # decodes, but the manifest is invalid (one reason per field problem)
    "not_storable",  # valid, but DynamoDB cannot store it (number range, item size)
    "function_not_allowed",  # the function name is outside the registrar's allow-list
    "name_owned",  # another (existing) function owns the tool name
    "version_immutable",  # name@version is already published (by another function) with other content
    "changed_without_version_bump",  # code/configuration/manifest changed; no new version followed
]


class RegistryEventDetail(BaseModel):
    """Base of every detail: its detail type, ``schema_version`` and ``occurred_at``."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_serialization_defaults_required=True)
    DETAIL_TYPE: ClassVar[str] = ""

    schema_version: Literal[1] = SCHEMA_VERSION
    occurred_at: str = Field(description="When the change was made (ISO 8601, UTC).")


class _ToolVersionEvent(RegistryEventDetail):
    tool_name: str
    version: str
    lambda_arn: str = Field(description="The published Lambda version agents invoke (qualified ARN).")
    lambda_function_name: str
    lambda_version: str | None = Field(default=None, description="The published Lambda version number.")
    latest_version: str | None = Field(
        default=None, description="The tool's latest (highest active) version after this change."
    )
    trigger: str | None = Field(
        default=None, description="CloudTrail event name, 'reconciler', 'recheck' or 'sfa tools …'."
    )
    actor: str | None = Field(default=None, description="Who made the change (IAM principal ARN), if known.")
    change_reason: str | None = Field(default=None, description="The operator's reason (lifecycle commands).")


class ToolRegistered(_ToolVersionEvent):
    """A name@version became live (new, or re-registered after being disabled)."""

    DETAIL_TYPE: ClassVar[str] = "ToolRegistered"

    status: Literal["active", "deprecated", "disabled"]
    owner: str
    code_sha256: str
    config_digest: str | None = Field(
        default=None, description="sha256 of the recorded configuration (no environment values)."
    )
    manifest_sha256: str
    revision_id: str | None = None
    language: str | None = None
    tags: list[str] = Field(default_factory=list)
    human_approval_required: bool = False
    portability_warnings: dict[str, list[str]] = Field(default_factory=dict)


class ToolUpdated(ToolRegistered):
    """A live name@version changed in place (requested status, or allowed content change)."""

    DETAIL_TYPE: ClassVar[str] = "ToolUpdated"

    previous_status: Literal["active", "deprecated", "disabled"]
    changed_fields: list[str] = Field(description="Registry fields whose value changed.")


class ToolDeregistered(_ToolVersionEvent):
    """The registrar disabled a name@version (the item is kept for history)."""

    DETAIL_TYPE: ClassVar[str] = "ToolDeregistered"

    reason: DeregistrationReason
    superseded_by: str | None = Field(default=None, description="name@version now served instead.")


class RejectionReason(BaseModel):
    """One reason a registration was rejected; ``path`` is a dotted manifest field path or ''."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_serialization_defaults_required=True)

    code: RejectionCode
    path: str = ""
    message: str


class ToolRejected(RegistryEventDetail):
    """A function's manifest could not be registered; the registry was left unchanged."""

    DETAIL_TYPE: ClassVar[str] = "ToolRejected"

    function_name: str
    function_arn: str | None = None
    tool_name: str | None = Field(default=None, description="Name claimed by the tags, if readable.")
    version: str | None = Field(default=None, description="Version claimed by the tags, if readable.")
    reasons: list[RejectionReason] = Field(min_length=1)
    trigger: str | None = None


class ResolvedTool(BaseModel):
    """A tool version an agent definition was rendered with."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_serialization_defaults_required=True)

    tool_name: str
    version: str
    lambda_arn: str


class AgentRegenerated(RegistryEventDetail):
    """An agent's state machine got a new published version and its ``live`` alias moved to it."""

    DETAIL_TYPE: ClassVar[str] = "AgentRegenerated"

    agent_name: str
    state_machine_arn: str
    version_arn: str
    alias_arn: str | None = None
    previous_version_arn: str | None = None
    definition_sha256: str
    resolved_tools: list[ResolvedTool] = Field(default_factory=list)
    trigger_tools: list[str] = Field(
        default_factory=list, description="name@version changes that caused the regeneration."
    )
    warnings: list[str] = Field(
        default_factory=list, description="E.g. a deprecated tool version the agent still uses."
    )


class AgentRegenerationFailed(RegistryEventDetail):
    """Regenerating an agent failed; its ``live`` alias still points at the previous version."""

    DETAIL_TYPE: ClassVar[str] = "AgentRegenerationFailed"

    agent_name: str
    error_type: str
    error_message: str
    retryable: bool
    state_machine_arn: str | None = None
    trigger_tools: list[str] = Field(default_factory=list)


class ToolApprovalRequested(RegistryEventDetail):
    """An agent run waits for a human to approve a tool call (SendTaskSuccess/Failure on the token).

    Emitted by the agent template (``agent_templates.approval``), with every field. An approval runs
    the tool only when it names ``input_sha256`` (``{"approved": true, "input_sha256": …}``).
    """

    DETAIL_TYPE: ClassVar[str] = "ToolApprovalRequested"

    agent_name: str
    execution_arn: str
    tool_name: str
    tool_version: str
    tool_use_id: str
    task_token: str
    input: dict[str, Any] = Field(
        default_factory=dict,
        description="The tool call's input as it travels in state: the value, or (input_ref) a content "
        "reference whose preview shows only its start.",
    )
    input_sha256: str | None = Field(
        default=None,
        description="SHA-256 (hex) the approval must name: of the referenced content when the input "
        "travels by reference, else of the input's JSON text (above 5,000 characters: of its "
        "5,000-character chunks' SHA-256s). None only from agents rendered before it.",
    )
    input_ref: dict[str, Any] | None = Field(
        default=None,
        description="The content reference ({$ref, sha256, bytes, kind, preview}) when the input travels "
        "by reference (above the content threshold); resolve it to see the whole input.",
    )
    timeout_seconds: int | None = Field(default=None, description="How long the run waits for a decision.")
    expires_at: str | None = Field(
        default=None, description="When the wait ends without a decision (a refusal), ISO 8601 UTC."
    )
