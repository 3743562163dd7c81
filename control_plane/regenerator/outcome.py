"""What one regeneration did, and the derived-state values and events that record it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from control_plane.agents.records import AgentRecord
from control_plane.events.models import AgentRegenerated, AgentRegenerationFailed, ResolvedTool
from control_plane.regenerator.plan import Rendered
from control_plane.regenerator.rollout import Progress

__all__ = [
    "Action",
    "AgentOutcome",
    "deployment_values",
    "failed_event",
    "failure_values",
    "regenerated_event",
    "success_values",
]

Action = Literal["skipped", "recorded", "deployed", "deleted", "failed", "missing"]


@dataclass(frozen=True)
class AgentOutcome:
    """``retryable`` failures make the handler report the contributing stream records as failed.

    ``pruned`` lists the old versions a deployment deleted; ``prune_error`` says why pruning failed
    (the deployment itself succeeded; the next one prunes again)."""

    agent: str
    action: Action
    version_arn: str | None = None
    previous_version_arn: str | None = None
    step: str | None = None
    error: str | None = None
    retryable: bool = False
    triggers: tuple[str, ...] = field(default=())
    pruned: tuple[str, ...] = field(default=())
    prune_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, ())}


def deployment_values(p: Progress) -> dict[str, Any]:
    return {
        "role_arn": p.role_arn,
        "state_machine_arn": p.state_machine_arn,
        "alias_arn": p.alias_arn,
        "live_version_arn": p.live_version_arn,
        "previous_version_arn": p.previous_version_arn,
        "definition_sha256": p.definition_sha256,
        "granted": sorted(p.granted) or None,
        "managed_policies": list(p.managed_policies) or None,
        "policy_mode": p.policy_mode,
        "policy_chars": p.policy_chars,
    }


def success_values(record: AgentRecord, rendered: Rendered, p: Progress | None, now: str) -> dict[str, Any]:
    values = deployment_values(p) if p is not None else {}
    values.update(
        {
            "status": "ready",
            "rendered_generation": record.generation,
            "attempted_generation": record.generation,
            "resolved_tools": [t.model_dump() for t in rendered.tool_refs],
            "warnings": list(rendered.warnings),
            "pending_version": None,
            "last_error": None,
            "rendered_at": now,
        }
    )
    return values


def failure_values(
    p: Progress | None, error: BaseException, *, step: str, retryable: bool, now: str, sha256: str | None
) -> dict[str, Any]:
    """The failed status; with ``p``: exactly what is deployed now (incl. a published, not yet live
    version, which the retry reuses)."""
    values = deployment_values(p) if p is not None else {}
    if p is not None and p.version_arn and not p.alias_moved and sha256:
        values["pending_version"] = {"version_arn": p.version_arn, "definition_sha256": sha256}
    values["status"] = "failed"
    values["last_error"] = {
        "type": type(error).__name__,
        "message": str(error)[:2000],
        "step": step,
        "retryable": retryable,
        "at": now,
    }
    return values


def regenerated_event(
    record: AgentRecord, rendered: Rendered, p: Progress, triggers: tuple[str, ...], now: str
) -> AgentRegenerated:
    assert p.state_machine_arn and p.live_version_arn and p.definition_sha256
    return AgentRegenerated(
        occurred_at=now,
        agent_name=record.agent_name,
        state_machine_arn=p.state_machine_arn,
        version_arn=p.live_version_arn,
        alias_arn=p.alias_arn,
        previous_version_arn=p.previous_version_arn if p.alias_moved else None,
        definition_sha256=p.definition_sha256,
        resolved_tools=[
            ResolvedTool(tool_name=t.name, version=t.version, lambda_arn=t.lambda_arn) for t in rendered.tools
        ],
        trigger_tools=list(triggers),
        warnings=list(rendered.warnings),
    )


def failed_event(
    record: AgentRecord, error: BaseException, retryable: bool, triggers: tuple[str, ...], now: str
) -> AgentRegenerationFailed:
    return AgentRegenerationFailed(
        occurred_at=now,
        agent_name=record.agent_name,
        error_type=type(error).__name__,
        error_message=str(error)[:2000],
        retryable=retryable,
        state_machine_arn=record.state_machine_arn,
        trigger_tools=list(triggers),
    )
