"""Typed views of registry items (what ``ToolRegistry`` returns)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from control_plane.registry.keys import BINDING_SK, LATEST_SK, OWNER_SK, PK, SK
from tool_sdk.manifest import ToolManifest

__all__ = [
    "DERIVED_FIELDS",
    "MANIFEST_FIELDS",
    "BindingState",
    "FunctionBinding",
    "HistoryEntry",
    "Lifecycle",
    "OwnerRecord",
    "StatusReason",
    "ToolRecord",
]

MANIFEST_FIELDS: tuple[str, ...] = tuple(ToolManifest.model_fields)
DERIVED_FIELDS: tuple[str, ...] = (
    "lambda_arn",
    "lambda_version",
    "function_arn",
    "lambda_function_name",
    "code_sha256",
    "config_digest",
    "configuration",
    "revision_id",
    "owner",
    "manifest_sha256",
    "content_sha256",
    "requested_status",
    "status_reason",
    "portability_warnings",
    "lifecycle",
    "history",
    "created_at",
    "updated_at",
)
# "manifest": the item follows its function's manifest (status = requested status). Anything else:
# the registrar disabled it, for that reason.
StatusReason = Literal[
    "manifest", "superseded", "manifest_removed", "function_deleted", "owner_deleted", "version_deleted"
]
BindingState = Literal["serving", "untagged", "deleted"]


class Lifecycle(BaseModel):
    """An operator's status decision (``sfa tools deprecate|disable|activate|rollback``); it wins
    over the manifest's requested status until the next decision."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    status: Literal["active", "deprecated", "disabled"]
    actor: str
    reason: str
    at: str
    trigger: str | None = None


class HistoryEntry(BaseModel):
    """One change of a version: what, when, by whom, why and from which event."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    at: str
    action: str
    status: str | None = None
    previous_status: str | None = None
    actor: str = "registrar"
    reason: str | None = None
    trigger: str | None = None
    event_id: str | None = None
    lambda_version: str | None = None


class ToolRecord(BaseModel):
    """One tool version: the manifest fields plus what the registrar derived (docs/design.md §4).

    ``status`` is the effective status; ``requested_status`` the one the manifest asks for.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    # manifest fields
    name: str
    version: str
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None = None
    language: str | None = None
    tags: list[str] = Field(default_factory=list)
    author: str | None = None
    human_approval_required: bool = False
    status: Literal["active", "deprecated", "disabled"]
    secrets: list[str] = Field(default_factory=list)
    timeout_seconds: int | None = None
    # derived fields
    lambda_arn: str  # the published Lambda version agents invoke (qualified ARN)
    lambda_version: str | None = None
    function_arn: str | None = None  # unqualified
    lambda_function_name: str
    code_sha256: str
    config_digest: str | None = None
    configuration: dict[str, Any] = Field(default_factory=dict)
    revision_id: str | None = None
    owner: str
    manifest_sha256: str
    content_sha256: str
    requested_status: Literal["active", "deprecated", "disabled"]
    status_reason: StatusReason = "manifest"
    portability_warnings: dict[str, list[str]] = Field(default_factory=dict)
    lifecycle: Lifecycle | None = None
    history: list[HistoryEntry] = Field(default_factory=list)
    created_at: str
    updated_at: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ToolRecord:
        """From a version item or a latest pointer (whose SK is ``latest``)."""
        data = dict(item)
        if data.get(SK) == LATEST_SK:
            data["version"] = data["resolved_version"]
        return cls.model_validate(data)

    def manifest(self) -> ToolManifest:
        """The manifest this version was registered from (its requested status included)."""
        data = {f: getattr(self, f) for f in MANIFEST_FIELDS}
        data["status"] = self.requested_status
        return ToolManifest.model_validate({k: v for k, v in data.items() if v is not None})

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


class OwnerRecord(BaseModel):
    """Which function owns a tool name (the first to register it, until it is deleted)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    tool_name: str
    owner_arn: str
    owner_function_name: str
    claimed_at: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> OwnerRecord:
        assert item[SK] == OWNER_SK
        return cls.model_validate(item)


class FunctionBinding(BaseModel):
    """What one Lambda function registered: its state and every tool name it ever served."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    function_name: str
    function_arn: str
    state: BindingState
    tools: list[str] = Field(default_factory=list)
    current_tool: str | None = None
    current_version: str | None = None
    observed_at: str
    hold: dict[str, Any] | None = None  # a change held for the grace window (registrar.plan)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> FunctionBinding:
        assert item[SK] == BINDING_SK
        return cls.model_validate({**item, "function_name": item[PK].split("#", 1)[1]})
