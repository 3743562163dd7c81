"""The ``Agent`` CDK construct's custom resource: CloudFormation declares a spec, the control plane
owns what it becomes (docs/design.md: agents are not CloudFormation resources).

``on_event`` is a ``custom_resources.Provider`` onEvent handler. Create/Update → ``apply_agent``
(the regenerator then renders the state machine from the AgentRegistry stream); Delete →
``delete_agent`` (the regenerator tears it down). The physical id is the agent name, so renaming an
agent in a template replaces it: CloudFormation then deletes the old name.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from agent_templates import AgentSpecValidationError, validate_agent_spec
from control_plane.agents import AgentNotFoundError, apply_agent, delete_agent

__all__ = ["on_event"]


def on_event(event: dict[str, Any], context: Any = None, *, registry: Any = None) -> dict[str, Any]:
    request = event["RequestType"]
    if request == "Delete":
        name = event.get("PhysicalResourceId", "")
        # Never created (a failed Create) or already removed: nothing to undo.
        with contextlib.suppress(AgentNotFoundError):
            delete_agent(name, registry=registry)
        return {"PhysicalResourceId": name}
    try:
        spec = validate_agent_spec(json.loads(event["ResourceProperties"]["SpecJson"]))
    except AgentSpecValidationError as exc:
        # The Provider framework reports the message to CloudFormation as the failure reason.
        raise ValueError("; ".join(str(p) for p in exc.problems)) from None
    result = apply_agent(spec, registry=registry)
    return {
        "PhysicalResourceId": spec.name,
        "Data": {"AgentName": spec.name, "Generation": str(result.record.generation)},
    }
