"""The registrar's pure core: (observation, registry state) → writes + events.

No I/O here. :func:`plan_sync` decides what the registry must look like for one function, given
what that function is now (an :class:`~control_plane.registrar.observe.Observation`) and the
registry items it touches (its binding and the partitions of the tools it serves or served). Every
write is conditioned on the ``rev`` the plan was made from, so a plan made from stale reads fails
as a whole and is re-planned.

Rules (docs/registry.md states them for users):

* A function serves one tool version: its current manifest. Versions it served before are disabled
  (``superseded``); so are all of its versions when its manifest tags are removed
  (``manifest_removed``) or it is deleted (``function_deleted``, which also releases its names).
* Ownership: a name belongs to the function that first registered it; another function's claim is
  rejected while the owner exists; if the owner is gone the claimant takes the name over and the old
  owner's live versions are disabled (``owner_deleted``).
* Immutability: name@version content (code + manifest without ``status``) is fixed once written;
  different content is accepted only over the claimant's own version item that is not active.
* Ordering: a plan made from an observation older than the one the registry recorded for the
  function is dropped (``stale``): late or replayed events cannot roll the registry back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from control_plane.events.models import RegistryEventDetail, RejectionReason, ToolRejected
from control_plane.registrar.items import (
    binding_item,
    disabled,
    is_live,
    latest_item,
    owner_item,
    same_content,
    tag_item,
    version_item,
)
from control_plane.registrar.observe import Observation
from control_plane.registrar.transitions import version_events
from control_plane.registry.keys import LATEST_SK, OWNER_SK, PK, SK, TAG_SK_PREFIX
from control_plane.registry.store import Delete, Put, Write
from tool_sdk.semver import SemVer, is_semver

__all__ = ["Outcome", "Plan", "RegistryState", "highest_active", "plan_sync"]

Outcome = Literal["registered", "updated", "deregistered", "repaired", "rejected", "noop", "stale"]


@dataclass(frozen=True)
class RegistryState:
    """The registry items one sync reads: the function's binding and whole tool partitions."""

    binding: dict[str, Any] | None
    partitions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    outcome: Outcome
    writes: tuple[Write, ...] = ()
    events: tuple[RegistryEventDetail, ...] = ()
    tool_name: str | None = None
    version: str | None = None


class _Partition:
    def __init__(self, name: str, items: list[dict[str, Any]]) -> None:
        self.name = name
        self.items = {i[SK]: i for i in items}
        self.versions = {sk: i for sk, i in self.items.items() if is_semver(sk)}
        self.owner = self.items.get(OWNER_SK)

    def desired(self, owner: dict[str, Any] | None, now: str) -> dict[str, dict[str, Any]]:
        """Every item this partition should hold (versions, owner, latest, tag items) by SK."""
        out = dict(self.versions)
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
    obs: Observation, state: RegistryState, *, owner_alive: bool | None, now: str, trigger: str | None = None
) -> Plan:
    """The plan that makes the registry reflect ``obs`` (see the module docstring for the rules)."""
    if obs.kind == "rejected":
        return _reject(obs, list(obs.reasons), now, trigger)
    binding = state.binding
    if binding is not None and binding.get("observed_at", "") > obs.observed_at:
        return Plan("stale")
    parts = {name: _Partition(name, items) for name, items in state.partitions.items()}
    owners = {name: p.owner for name, p in parts.items()}
    fn = obs.function_name
    served: tuple[str, str] | None = None
    if obs.kind == "serving":
        m = obs.manifest
        assert m is not None
        part = parts.setdefault(m.name, _Partition(m.name, []))
        owner = part.owner
        takeover_from = None
        if owner is not None and owner["owner_function_name"] != fn:
            if owner_alive:
                return _reject(
                    obs,
                    [_reason("name_owned", "name", f"name {m.name!r} owned by {owner['owner_arn']}")],
                    now,
                    trigger,
                )
            takeover_from = owner["owner_function_name"]
        existing = part.versions.get(m.version)
        if existing is not None and existing.get("content_sha256") != obs.content_sha256:
            own = existing.get("lambda_function_name") == fn
            if not own or existing.get("status") == "active":
                message = (
                    f"{m.name}@{m.version} is already published with different code or manifest "
                    f"(by {existing.get('lambda_function_name')}, status {existing.get('status')}); "
                    "publish a new version"
                )
                return _reject(obs, [_reason("version_immutable", "version", message)], now, trigger)
        if owner is None or takeover_from is not None:
            owners[m.name] = owner_item(m.name, obs, now)
        owner_arn = owners[m.name]["owner_arn"]  # type: ignore[index]
        served = (m.name, m.version)
        for p in parts.values():
            for sk, item in list(p.versions.items()):
                if not is_live(item) or (p.name, sk) == served:
                    continue
                if item.get("lambda_function_name") == fn:
                    p.versions[sk] = disabled(item, "superseded", now, f"{m.name}@{m.version}")
                elif p.name == m.name and takeover_from and item.get("lambda_function_name") == takeover_from:
                    p.versions[sk] = disabled(item, "owner_deleted", now)
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
    return _finish(obs, binding, parts, owners, served, state_name, arn, now, trigger)


def _finish(
    obs: Observation,
    binding: dict[str, Any] | None,
    parts: dict[str, _Partition],
    owners: dict[str, dict[str, Any] | None],
    served: tuple[str, str] | None,
    state_name: str,
    arn: str | None,
    now: str,
    trigger: str | None,
) -> Plan:
    writes: list[Write] = []
    events: list[RegistryEventDetail] = []
    for name, p in sorted(parts.items()):
        desired = p.desired(owners.get(name), now)
        writes += _diff(p.items, desired)
        latest = desired.get(LATEST_SK)
        events += version_events(
            p.items, desired, latest["resolved_version"] if latest else None, now, trigger
        )
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


def _reason(code: str, path: str, message: str) -> RejectionReason:
    return RejectionReason(code=code, path=path, message=message)  # type: ignore[arg-type]


def _reject(obs: Observation, reasons: list[RejectionReason], now: str, trigger: str | None) -> Plan:
    m = obs.manifest
    event = ToolRejected(
        occurred_at=now,
        function_name=obs.function_name,
        function_arn=obs.function_arn,
        tool_name=m.name if m else obs.claimed_name,
        version=m.version if m else obs.claimed_version,
        reasons=reasons,
        trigger=trigger,
    )
    return Plan("rejected", events=(event,), tool_name=event.tool_name, version=event.version)
