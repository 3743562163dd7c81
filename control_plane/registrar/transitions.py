"""Which change events a plan publishes, and the history entry each version change leaves.

Events follow whether a version is *usable* (``active`` or ``deprecated``) before and after:

* a new item, or an unusable item that becomes usable → ``ToolRegistered``
* a usable item that becomes unusable (disabled by the registrar or an operator) → ``ToolDeregistered``
* any other change of an item that follows its manifest → ``ToolUpdated``

Latest pointers, owner, tag and binding items produce no events of their own; each event carries
the tool's ``latest_version`` after the change, and who and what caused it (:class:`Cause`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from control_plane.events.models import RegistryEventDetail, ToolDeregistered, ToolRegistered, ToolUpdated
from control_plane.registrar.items import changed_fields, is_live, same_content
from control_plane.registry.keys import SK
from tool_sdk.semver import SemVer, is_semver

__all__ = ["HISTORY_LIMIT", "Cause", "record_history", "version_events"]

HISTORY_LIMIT = 25  # entries kept per version item (DynamoDB items are ≤400 KB)
_USABLE = ("active", "deprecated")


@dataclass(frozen=True)
class Cause:
    """What caused a change: the trigger (CloudTrail event name, ``reconciler``, ``recheck`` or
    ``sfa tools …``), the CloudTrail event id, the principal, and an operator's reason."""

    trigger: str | None = None
    event_id: str | None = None
    actor: str | None = None
    reason: str | None = None


def _action(old: dict[str, Any] | None, new: dict[str, Any]) -> str | None:
    if old is not None and (old is new or same_content(old, new)):
        return None
    was, now = old is not None and old.get("status") in _USABLE, new.get("status") in _USABLE
    if old is None or (now and not was):
        return "registered"
    if was and not now:
        return "deregistered"
    return "updated" if is_live(new) else None


def record_history(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], now: str, cause: Cause
) -> None:
    """Append one history entry to each version item of ``after`` that changes (in place)."""
    for sk in [k for k in after if is_semver(k)]:
        old, new = before.get(sk), after[sk]
        action = _action(old, new)
        if action is None:
            continue
        decision = new.get("lifecycle")
        if not decision or decision == (old or {}).get("lifecycle"):
            decision = {}  # an operator's decision explains this change only when it is new
        entry = {
            "at": now,
            "action": action,
            "status": new.get("status"),
            "previous_status": old.get("status") if old else None,
            "actor": decision.get("actor") or cause.actor or "registrar",
            "reason": decision.get("reason") or cause.reason or _registrar_reason(new),
            "trigger": cause.trigger,
            "event_id": cause.event_id,
            "lambda_version": new.get("lambda_version"),
        }
        history = [*((old or {}).get("history") or []), {k: v for k, v in entry.items() if v is not None}]
        after[sk] = {**new, "history": history[-HISTORY_LIMIT:]}


def _registrar_reason(item: dict[str, Any]) -> str | None:
    reason = item.get("status_reason")
    return None if reason in (None, "manifest") else str(reason)


def version_events(
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    latest_version: str | None,
    now: str,
    cause: Cause,
) -> list[RegistryEventDetail]:
    events: list[RegistryEventDetail] = []
    for sk in sorted((k for k in after if is_semver(k)), key=SemVer.parse):
        old, new = before.get(sk), after[sk]
        action = _action(old, new)
        if action is None:
            continue
        common = {
            "occurred_at": now,
            "tool_name": new["name"],
            "version": new[SK],
            "lambda_arn": new["lambda_arn"],
            "lambda_function_name": new["lambda_function_name"],
            "lambda_version": new.get("lambda_version"),
            "latest_version": latest_version,
            "trigger": cause.trigger,
            "actor": cause.actor,
            "change_reason": cause.reason,
        }
        if action == "deregistered":
            reason = new.get("status_reason", "manifest")
            events.append(ToolDeregistered(**common, reason="disabled" if reason == "manifest" else reason))
            continue
        body = {
            **common,
            "status": new["status"],
            "owner": new["owner"],
            "code_sha256": new["code_sha256"],
            "config_digest": new.get("config_digest"),
            "manifest_sha256": new["manifest_sha256"],
            "revision_id": new.get("revision_id"),
            "language": new.get("language"),
            "tags": new.get("tags", []),
            "human_approval_required": new.get("human_approval_required", False),
            "portability_warnings": new.get("portability_warnings", {}),
        }
        if action == "registered":
            events.append(ToolRegistered(**body))
        else:
            previous = old["status"] if old else new["status"]
            events.append(
                ToolUpdated(**body, previous_status=previous, changed_fields=changed_fields(old or {}, new))
            )
    return events
