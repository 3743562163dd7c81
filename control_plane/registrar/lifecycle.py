"""Operators' lifecycle decisions: deprecate, disable, activate, roll back (``sfa tools …``).

A decision is a registry write like the registrar's own: the tool's partition is read (strongly
consistent), the version item gets a ``lifecycle`` record (status, actor, reason, time) that wins
over the manifest's requested status, latest and tag items are recomputed, every write is
conditioned on the revision it was planned from (a lost race re-reads), and the usual events are
published. The table's stream then drives regeneration of the agents that use the tool.

* ``deprecate``: the version keeps serving agents that pin it (with a warning); ranges and latest
  prefer active versions.
* ``disable``: the version leaves every agent; an agent left without a required tool fails
  regeneration and keeps its last good live version.
* ``activate``: undoes either.
* ``rollback NAME --to V``: V becomes what latest and ranges resolve to, with no redeploy: every
  active version above V is deprecated (reason "rolled back to V"), V is activated. A release
  registered later is active again, so the next release lifts the rollback.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from control_plane.aws import call
from control_plane.errors import AwsError, ConcurrentModificationError, ConditionFailedError, LifecycleError
from control_plane.events.publisher import Publisher
from control_plane.registrar.items import is_live, with_status
from control_plane.registrar.plan import Cause, ToolPartition, partition_writes
from control_plane.registrar.sync import iso_now
from control_plane.registry.store import ToolRegistry
from tool_sdk.semver import SemVer, is_semver

__all__ = ["LifecycleResult", "Status", "caller_arn", "change_status", "rollback"]

Status = Literal["active", "deprecated", "disabled"]
_ATTEMPTS = 6
_MAX_REASON = 500


@dataclass(frozen=True)
class LifecycleResult:
    """What a decision changed: ``changed`` name@version refs and the event types published."""

    tool_name: str
    changed: tuple[str, ...]
    events: tuple[str, ...]


def change_status(
    registry: ToolRegistry,
    publisher: Publisher,
    name: str,
    version: str,
    status: Status,
    *,
    actor: str,
    reason: str,
    clock: Callable[[], str] = iso_now,
) -> LifecycleResult:
    """Set ``name@version``'s status by operator decision (``LifecycleError`` if it cannot be)."""

    def decide(part: ToolPartition, cause: Cause, now: str) -> None:
        _set(part, _require(part, name, version), status, cause, now)

    return _apply(registry, publisher, name, f"sfa tools {_verb(status)}", actor, reason, clock, decide)


def rollback(
    registry: ToolRegistry,
    publisher: Publisher,
    name: str,
    to_version: str,
    *,
    actor: str,
    reason: str,
    clock: Callable[[], str] = iso_now,
) -> LifecycleResult:
    """Make ``to_version`` what latest and ranges resolve to (see the module docstring)."""

    def decide(part: ToolPartition, cause: Cause, now: str) -> None:
        target = _require(part, name, to_version)
        floor = SemVer.parse(to_version)
        if part.versions[target].get("status") != "active":
            _set(part, target, "active", cause, now)
        note = Cause(cause.trigger, None, cause.actor, f"rolled back to {to_version}: {cause.reason}")
        for sk, item in sorted(part.versions.items()):
            if item.get("status") == "active" and SemVer.parse(sk) > floor:
                _set(part, sk, "deprecated", note, now)

    return _apply(registry, publisher, name, "sfa tools rollback", actor, reason, clock, decide)


def _verb(status: Status) -> str:
    return {"active": "activate", "deprecated": "deprecate", "disabled": "disable"}[status]


def _require(part: ToolPartition, name: str, version: str) -> str:
    if not is_semver(version):
        raise LifecycleError(f"{version!r} is not a version (MAJOR.MINOR.PATCH)")
    item = part.versions.get(version)
    if item is None:
        known = ", ".join(sorted(part.versions, key=SemVer.parse)) or "none"
        raise LifecycleError(f"{name}@{version} is not registered (registered versions: {known})")
    if not is_live(item):
        raise LifecycleError(
            f"{name}@{version} was disabled by the registrar ({item.get('status_reason')}): "
            "its published Lambda version no longer serves; deploy a new version instead"
        )
    return version


def _set(part: ToolPartition, version: str, status: Status, cause: Cause, now: str) -> None:
    item = part.versions[version]
    lifecycle = {"status": status, "actor": cause.actor, "reason": cause.reason, "at": now}
    if cause.trigger:
        lifecycle["trigger"] = cause.trigger
    part.versions[version] = with_status({**item, "lifecycle": lifecycle}, now)


def _apply(
    registry: ToolRegistry,
    publisher: Publisher,
    name: str,
    trigger: str,
    actor: str,
    reason: str,
    clock: Callable[[], str],
    decide: Callable[[ToolPartition, Cause, str], None],
) -> LifecycleResult:
    reason = " ".join(reason.split())[:_MAX_REASON]
    if not reason:
        raise LifecycleError("a reason is required (--reason TEXT): it is kept in the version's history")
    cause = Cause(trigger=trigger, actor=actor or "unknown", reason=reason)
    for attempt in range(1, _ATTEMPTS + 1):
        items = registry.partition(name)
        if not items:
            raise LifecycleError(f"no tool named {name!r} is registered")
        part = ToolPartition(name, items)
        before = dict(part.versions)
        now = clock()
        decide(part, cause, now)
        writes, events = partition_writes({name: part}, {name: part.owner}, now, cause)
        if not writes:
            return LifecycleResult(name, (), ())
        try:
            registry.transact(writes)
        except ConditionFailedError:
            time.sleep(random.uniform(0, min(0.02 * 2**attempt, 0.5)))
            continue
        if events:
            publisher.publish(events)
        changed = tuple(f"{name}@{v}" for v, item in part.versions.items() if before.get(v) is not item)
        return LifecycleResult(name, changed, tuple(e.DETAIL_TYPE for e in events))
    raise ConcurrentModificationError(f"gave up changing {name!r} after {_ATTEMPTS} conflicting attempts")


def caller_arn(sts_client: Any) -> str:
    """The caller's IAM principal, recorded as the actor (``unknown`` if STS cannot say)."""
    try:
        return str(call(sts_client.get_caller_identity)["Arn"])
    except AwsError:
        return "unknown"
