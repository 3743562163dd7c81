"""The tool registry: ``ToolRegistry-{env}`` table spec, item layout and typed access."""

from control_plane.registry.records import FunctionBinding, OwnerRecord, ToolRecord
from control_plane.registry.store import Delete, Put, ToolRegistry, Write
from control_plane.registry.table import (
    agent_registry_table_spec,
    create_tables,
    tool_registry_table_spec,
)

__all__ = [
    "Delete",
    "FunctionBinding",
    "OwnerRecord",
    "Put",
    "ToolRecord",
    "ToolRegistry",
    "Write",
    "agent_registry_table_spec",
    "create_tables",
    "tool_registry_table_spec",
]
