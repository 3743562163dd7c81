"""The registrar: keeps ``ToolRegistry-{env}`` equal to what tagged Lambda functions are now."""

from control_plane.registrar.observe import FunctionSnapshot, Observation, interpret, read_function
from control_plane.registrar.plan import Plan, RegistryState, plan_sync
from control_plane.registrar.sync import Registrar, SyncResult
from control_plane.registrar.trigger import (
    REGISTRAR_EVENT_NAMES,
    REGISTRAR_EVENT_PATTERN,
    Trigger,
    cloudtrail_event,
    function_name_from_ref,
    parse_trigger,
)

__all__ = [
    "REGISTRAR_EVENT_NAMES",
    "REGISTRAR_EVENT_PATTERN",
    "FunctionSnapshot",
    "Observation",
    "Plan",
    "Registrar",
    "RegistryState",
    "SyncResult",
    "Trigger",
    "cloudtrail_event",
    "function_name_from_ref",
    "interpret",
    "parse_trigger",
    "plan_sync",
    "read_function",
]
