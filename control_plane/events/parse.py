"""``parse_event``: an EventBridge event (or SQS/Lambda delivery of one) → its typed detail."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from control_plane.errors import EventParseError
from control_plane.events.models import (
    EVENT_SOURCE,
    AgentRegenerated,
    AgentRegenerationFailed,
    RegistryEventDetail,
    ToolApprovalRequested,
    ToolDeregistered,
    ToolRegistered,
    ToolRejected,
    ToolUpdated,
)

__all__ = ["DETAIL_TYPES", "RegistryEvent", "parse_detail", "parse_event"]

RegistryEvent = (
    ToolRegistered
    | ToolUpdated
    | ToolDeregistered
    | ToolRejected
    | AgentRegenerated
    | AgentRegenerationFailed
    | ToolApprovalRequested
)

DETAIL_TYPES: dict[str, type[RegistryEventDetail]] = {
    cls.DETAIL_TYPE: cls
    for cls in (
        ToolRegistered,
        ToolUpdated,
        ToolDeregistered,
        ToolRejected,
        AgentRegenerated,
        AgentRegenerationFailed,
        ToolApprovalRequested,
    )
}


def parse_detail(detail_type: str, detail: Mapping[str, Any] | str) -> RegistryEvent:
    """The typed detail for ``detail_type``; raises ``EventParseError`` if unknown or invalid."""
    cls = DETAIL_TYPES.get(detail_type)
    if cls is None:
        raise EventParseError(
            f"unknown detail-type {detail_type!r}; known: {', '.join(sorted(DETAIL_TYPES))}"
        )
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except json.JSONDecodeError as exc:
            raise EventParseError(f"{detail_type} detail is not JSON: {exc}") from None
    if not isinstance(detail, Mapping):
        raise EventParseError(f"{detail_type} detail must be an object")
    if detail.get("schema_version") != 1:
        raise EventParseError(
            f"{detail_type} has schema_version {detail.get('schema_version')!r}; this code reads 1"
        )
    try:
        return cls.model_validate(dict(detail))  # type: ignore[return-value]
    except ValidationError as exc:
        raise EventParseError(f"invalid {detail_type} detail: {exc}") from None


def parse_event(event: Mapping[str, Any] | str) -> RegistryEvent:
    """Parse an EventBridge event of the registry bus (a dict, or its JSON text, e.g. an SQS body).

    ``parse_event(e)`` returns ``ToolRegistered | ToolUpdated | ToolDeregistered | ToolRejected |
    AgentRegenerated | AgentRegenerationFailed | ToolApprovalRequested``; anything else raises
    ``EventParseError``.
    """
    if isinstance(event, str):
        try:
            event = json.loads(event)
        except json.JSONDecodeError as exc:
            raise EventParseError(f"event is not JSON: {exc}") from None
    if not isinstance(event, Mapping):
        raise EventParseError("an event must be an object")
    source = event.get("source")
    if source is not None and source != EVENT_SOURCE:
        raise EventParseError(f"event source {source!r} is not {EVENT_SOURCE!r}")
    detail_type = event.get("detail-type", event.get("DetailType"))
    detail = event.get("detail", event.get("Detail"))
    if not isinstance(detail_type, str) or detail is None:
        raise EventParseError("event has no detail-type/detail")
    return parse_detail(detail_type, detail)
