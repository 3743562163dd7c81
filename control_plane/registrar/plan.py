"""The registrar's pure core: (observation, registry state) → writes + events.

No I/O here. :func:`plan_sync` decides what the registry must look like for one function, given
what that function is now (an :class:`~control_plane.registrar.observe.Observation`) and the
registry items it touches (its binding and the partitions of the tools it serves or served). Every
write is conditioned on the ``rev`` the plan was made from, so a plan made from stale reads fails
as a whole and is re-planned.

Rules (docs/registry.md states them for users):

* Published versions: an accepted name@version is backed by a Lambda version published from exactly
  the code and configuration that were validated (``publish``: the sync publishes, then re-plans);
  its item records the qualified ARN agents invoke. Older versions stay registered and callable.
* Held changes: a code or configuration change under an already registered version, a version bump
  whose code equals the version the function serves, and torn (unreadable) manifest tags are held
  in the function's binding for the grace window, because a release in progress produces each of
  them (code then tags, tags then code, several tag calls). A later observation that completes the
  release registers it and drops the hold; one still held after the window is finalized once: a
  ``ToolRejected`` (``changed_without_version_bump``, ``tags_unreadable``) or, for a tag-only bump,
  a manifest-only release of the code already published.
* Ownership: a name belongs to the function that first registered it; another function's claim is
  rejected while the owner exists; if the owner is gone the claimant takes the name over and the old
  owner's live versions are disabled (``owner_deleted``).
* Removal: manifest tags removed → the function's versions are disabled (``manifest_removed``);
  function deleted → disabled (``function_deleted``) and its names released.
* Ordering: a plan made from an observation older than the one the registry recorded for the
  function is dropped (``stale``): late or replayed events cannot roll the registry back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from control_plane.events.models import RegistryEventDetail
from control_plane.registrar.decision import Outcome, Plan
from control_plane.registrar.hold import Hold
from control_plane.registrar.hold import reason as _reason
from control_plane.registrar.hold import reject as _reject
from control_plane.registrar.items import (
    binding_item,
    disabled,
    is_live,
    latest_item,
    needs_publish,
    owner_item,
    same_content,
    tag_item,
    version_item,
)
from control_plane.registrar.observe import Observation
from control_plane.registrar.transitions import Cause, record_history, version_events
from control_plane.registry.keys import BINDING_SK, LATEST_SK, OWNER_SK, PK, SK, TAG_SK_PREFIX
from control_plane.registry.store import Delete, Put, Write
from tool_sdk.semver import SemVer, is_semver

__all__ = [
    "Cause",
    "Outcome",
    "Plan",
    "RegistryState",
    "ToolPartition",
    "highest_active",
    "partition_writes",
    "plan_sync",
]

DEFAULT_GRACE_SECONDS = 120.0


@dataclass(frozen=True)
class RegistryState:
    """The registry items one sync reads: the function's binding and whole tool partitions."""

    binding: dict[str, Any] | None
    partitions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class ToolPartition:
    """One tool's items by sort key, with its version items and owner item at hand."""

    def __init__(self, name: str, items: list[dict[str, Any]]) -> None:
        self.name = name
        self.items = {i[SK]: i for i in items}
        self.versions = {sk: i for sk, i in self.items.items() if is_semver(sk)}
        self.owner = self.items.get(OWNER_SK)

    def desired(self, owner: dict[str, Any] | None, now: str) -> dict[str, dict[str, Any]]:
        """Every item this partition should hold (versions, owner, latest, tag items) by SK."""
        out = {sk: i for sk, i in self.items.items() if sk not in (OWNER_SK, LATEST_SK, BINDING_SK)}
        out = {sk: i for sk, i in out.items() if not sk.startswith(TAG_SK_PREFIX)}
        out.update(self.versions)
        if owner is not None:
            out[OWNER_SK] = owner
        best = highest_active(list(self.versions.values()))
        latest = latest_item(best, self.items.get(LATEST_SK), now)
        if latest is not None:
            out[LATEST_SK] = latest
            for label in latest.get("tags", []):
                sk = f"{TAG_SK_PREFIX}{label}"
                out[sk] = self.items.get(sk) or tag_item(self.name, label)
        return out


def highest_active(versions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The highest active release; a prerelease only when no active release exists."""
    active = [v for v in versions if v.get("status") == "active"]
    releases = [v for v in active if "-" not in v[SK].split("+")[0]]
    pool = releases or active
    return max(pool, key=lambda v: SemVer.parse(v[SK])) if pool else None


def plan_sync(
    obs: Observation,
    state: RegistryState,
    *,
    owner_alive: bool | None,
    now: str,
    trigger: str | None = None,
    cause: Cause | None = None,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
) -> Plan:
    """The plan that makes the registry reflect ``obs`` (see the module docstring for the rules)."""
    cause = cause or Cause(trigger=trigger)
    binding = state.binding
    if binding is not None and binding.get("observed_at", "") > obs.observed_at:
        return Plan("stale")
    hold = Hold(obs, binding, now, grace_seconds, cause)
    if obs.kind == "rejected":
        if obs.transient and binding is not None and binding.get("state") == "serving":
            return hold.plan("unreadable", f"{obs.tags_sha256}:{obs.code_sha256}:{obs.config_digest}")
        return _reject(obs, list(obs.reasons), now, cause)
    parts = {name: ToolPartition(name, items) for name, items in state.partitions.items()}
    owners = {name: p.owner for name, p in parts.items()}
    fn = obs.function_name
    lost = _disable_lost_versions(obs, parts, now)

    def early(plan: Plan | None) -> Plan:
        """An early verdict (rejection, hold) still carries the repair of lost versions."""
        assert plan is not None
        if not lost:
            return plan
        writes, events = partition_writes(parts, owners, now, cause)
        return replace(plan, writes=(*plan.writes, *writes), events=(*plan.events, *events))

    served: tuple[str, str] | None = None
    if obs.kind == "serving":
        m = obs.manifest
        assert m is not None
        part = parts.setdefault(m.name, ToolPartition(m.name, []))
        owner = part.owner
        takeover_from = None
        if owner is not None and owner["owner_function_name"] != fn:
            if owner_alive:
                message = f"name {m.name!r} owned by {owner['owner_arn']}"
                return early(_reject(obs, [_reason("name_owned", "name", message)], now, cause))
            takeover_from = owner["owner_function_name"]
        existing = part.versions.get(m.version)
        fingerprint = f"{m.name}@{m.version}:{obs.content_sha256}"
        if existing is not None and existing.get("content_sha256") != obs.content_sha256:
            if existing.get("lambda_function_name") != fn or existing.get("status_reason") in (
                "function_deleted",
                "owner_deleted",
                "version_deleted",
            ):
                by = existing.get("lambda_function_name")
                by = f"an earlier function named {by}, since deleted" if by == fn else by
                message = (
                    f"{m.name}@{m.version} is already published with different code, configuration "
                    f"or manifest (by {by}); publish a new version"
                )
                return early(_reject(obs, [_reason("version_immutable", "version", message)], now, cause))
            if existing.get("lambda_version"):  # (items from before versions were published: repair)
                return early(hold.plan("unbumped", fingerprint))
        elif existing is None and _same_build_as_served(obs, binding, parts):
            held = hold.plan("manifest_only", fingerprint)
            if held is not None:
                return early(held)
        if needs_publish(obs, existing) and obs.published is None:
            return Plan("publish", tool_name=m.name, version=m.version)
        if owner is None or takeover_from is not None:
            owners[m.name] = owner_item(m.name, obs, now)
        owner_arn = owners[m.name]["owner_arn"]  # type: ignore[index]
        served = (m.name, m.version)
        if takeover_from:
            for sk, item in list(part.versions.items()):
                if is_live(item) and item.get("lambda_function_name") == takeover_from:
                    part.versions[sk] = disabled(item, "owner_deleted", now)
        part.versions[m.version] = version_item(obs, owner_arn, existing, now)
        state_name, arn = "serving", obs.function_arn
    else:
        if binding is None:
            return Plan("noop")  # never registered anything: nothing to undo
        reason = "function_deleted" if obs.kind == "absent" else "manifest_removed"
        for p in parts.values():
            for sk, item in list(p.versions.items()):
                if is_live(item) and item.get("lambda_function_name") == fn:
                    p.versions[sk] = disabled(item, reason, now)
            if obs.kind == "absent" and p.owner is not None and p.owner["owner_function_name"] == fn:
                owners[p.name] = None  # a deleted function releases its names
        state_name = "deleted" if obs.kind == "absent" else "untagged"
        arn = obs.function_arn or binding["function_arn"]
    writes, events = partition_writes(parts, owners, now, cause)
    tools = set((binding or {}).get("tools", [])) | ({served[0]} if served else set())
    new_binding = binding_item(obs.function_name, arn or "", state_name, tools, served, obs.observed_at)
    if writes or not same_content(binding, new_binding):
        writes.append(Put(new_binding, binding["rev"] if binding else None))
    if not writes:
        return Plan("noop", tool_name=served and served[0], version=served and served[1])
    kinds = {e.DETAIL_TYPE for e in events}
    outcome: Outcome = (
        "registered"
        if "ToolRegistered" in kinds
        else "updated"
        if "ToolUpdated" in kinds
        else "deregistered"
        if "ToolDeregistered" in kinds
        else "repaired"
    )
    return Plan(outcome, tuple(writes), tuple(events), served and served[0], served and served[1])


def partition_writes(
    parts: dict[str, ToolPartition], owners: dict[str, dict[str, Any] | None], now: str, cause: Cause
) -> tuple[list[Write], list[RegistryEventDetail]]:
    """Writes and events that take each partition from its items to its (changed) versions."""
    writes: list[Write] = []
    events: list[RegistryEventDetail] = []
    for name, p in sorted(parts.items()):
        desired = p.desired(owners.get(name), now)
        record_history(p.items, desired, now, cause)
        writes += _diff(p.items, desired)
        latest = desired.get(LATEST_SK)
        events += version_events(p.items, desired, latest["resolved_version"] if latest else None, now, cause)
    return writes, events


def _disable_lost_versions(obs: Observation, parts: dict[str, ToolPartition], now: str) -> bool:
    """Disable versions whose published Lambda version is gone or runs other code (``version_deleted``):
    a function deleted and created again under the same name numbers its versions from 1 again, and
    a version can be deleted by hand. Agents must never invoke such an ARN as the registered tool."""
    if obs.versions is None:
        return False
    lost = False
    for p in parts.values():
        for sk, item in list(p.versions.items()):
            if not is_live(item) or item.get("lambda_function_name") != obs.function_name:
                continue
            number = item.get("lambda_version")
            if number and obs.versions.get(str(number)) != item.get("code_sha256"):
                p.versions[sk] = disabled(item, "version_deleted", now)
                lost = True
    return lost


def _same_build_as_served(
    obs: Observation, binding: dict[str, Any] | None, parts: dict[str, ToolPartition]
) -> bool:
    """Whether ``obs`` runs exactly the build of the version its function registered last."""
    if binding is None or binding.get("state") != "serving" or not binding.get("current_tool"):
        return False
    part = parts.get(binding["current_tool"])
    current = part.versions.get(binding.get("current_version", "")) if part else None
    return (
        current is not None
        and current.get("code_sha256") == obs.code_sha256
        and current.get("config_digest") == obs.config_digest
        and current.get("function_arn") == obs.function_arn
    )


def _diff(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Write]:
    writes: list[Write] = []
    for sk in sorted(set(old) | set(new)):
        before, after = old.get(sk), new.get(sk)
        if after is None:
            writes.append(Delete({PK: before[PK], SK: sk}, before["rev"]))  # type: ignore[index]
        elif before is None:
            writes.append(Put(after, None))
        elif after is not before and not same_content(before, after):
            writes.append(Put({k: v for k, v in after.items() if k != "rev"}, before["rev"]))
    return writes
