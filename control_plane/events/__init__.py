"""Registry-bus events (docs/design.md §5): typed details, their JSON Schemas, parsing and publishing."""

from control_plane.events.jsonschema import detail_schema, generate_schemas, load_schema
from control_plane.events.models import (
    EVENT_SOURCE,
    SCHEMA_VERSION,
    AgentRegenerated,
    AgentRegenerationFailed,
    RegistryEventDetail,
    RejectionReason,
    ResolvedTool,
    ToolApprovalRequested,
    ToolDeregistered,
    ToolRegistered,
    ToolRejected,
    ToolUpdated,
)
from control_plane.events.parse import DETAIL_TYPES, RegistryEvent, parse_detail, parse_event
from control_plane.events.publisher import EventBridgePublisher, Publisher, put_events_entry

__all__ = [
    "DETAIL_TYPES",
    "EVENT_SOURCE",
    "SCHEMA_VERSION",
    "AgentRegenerated",
    "AgentRegenerationFailed",
    "EventBridgePublisher",
    "Publisher",
    "RegistryEvent",
    "RegistryEventDetail",
    "RejectionReason",
    "ResolvedTool",
    "ToolApprovalRequested",
    "ToolDeregistered",
    "ToolRegistered",
    "ToolRejected",
    "ToolUpdated",
    "detail_schema",
    "generate_schemas",
    "load_schema",
    "parse_detail",
    "parse_event",
    "put_events_entry",
]
