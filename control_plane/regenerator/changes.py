"""Stream records → changes (pure): what changed in the registries, and which agents it may affect.

ToolRegistry records that can change a rendered definition: version items and the ``latest``
pointer whose render-relevant fields differ between old and new image, and tag items that appear or
disappear. Everything else (owner/binding items, bookkeeping-only rewrites such as a new
``code_sha256`` behind the same ARN) is dropped here, before any AWS call.

AgentRegistry records matter only when the spec's ``generation`` changed (``apply``/``delete``);
the regenerator's own derived-state writes keep the generation and are ignored, so they never loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from control_plane.agents.keys import is_agent_key, name_index_key, parse_entry, tag_index_key
from control_plane.registry.codec import from_attribute_map
from control_plane.registry.keys import LATEST_SK, PK, SK, TAG_SK_PREFIX
from tool_sdk.semver import SemVerRange, is_semver

__all__ = [
    "RENDER_FIELDS",
    "AgentChange",
    "ToolChange",
    "affected_agents",
    "agent_change",
    "merge_tool_changes",
    "source_table",
    "tool_change",
]

# Fields of a tool version that reach a rendered definition, its IAM grants or resolution.
RENDER_FIELDS = (
    "status",
    "lambda_arn",
    "description",
    "input_schema",
    "human_approval_required",
    "timeout_seconds",
    "tags",
)


@dataclass(frozen=True)
class ToolChange:
    """A change of one tool: the versions it touched and every label of its old and new images."""

    tool_name: str
    versions: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()

    @property
    def refs(self) -> list[str]:
        return [f"{self.tool_name}@{v}" for v in sorted(self.versions)] or [self.tool_name]


@dataclass(frozen=True)
class AgentChange:
    agent_name: str
    generation: int


def source_table(record: Mapping[str, Any]) -> str:
    """The table name in a stream record's ``eventSourceARN`` (``…:table/<name>/stream/…``)."""
    arn = str(record.get("eventSourceARN") or "")
    _, _, rest = arn.partition(":table/")
    return rest.split("/", 1)[0]


def _images(record: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    ddb = record.get("dynamodb") or {}
    old, new = ddb.get("OldImage"), ddb.get("NewImage")
    return (from_attribute_map(old) if old else None, from_attribute_map(new) if new else None)


def _keys(record: Mapping[str, Any]) -> dict[str, Any]:
    return from_attribute_map((record.get("dynamodb") or {}).get("Keys") or {})


def _relevant(old: dict[str, Any] | None, new: dict[str, Any] | None, fields: tuple[str, ...]) -> bool:
    if old is None or new is None:
        return old is not new
    return any(old.get(f) != new.get(f) for f in fields)


def tool_change(record: Mapping[str, Any]) -> ToolChange | None:
    """The change a ToolRegistry stream record carries, or ``None`` if it cannot affect an agent."""
    keys = _keys(record)
    name, sk = keys.get(PK), keys.get(SK)
    if not isinstance(name, str) or not isinstance(sk, str) or not is_agent_safe_tool_key(name):
        return None
    old, new = _images(record)
    images = [i for i in (old, new) if i is not None]
    labels = frozenset(label for i in images for label in i.get("tags", []) or [])
    if sk.startswith(TAG_SK_PREFIX):
        if record.get("eventName") == "MODIFY":
            return None
        return ToolChange(name, labels=frozenset({sk[len(TAG_SK_PREFIX) :]}))
    if sk == LATEST_SK:
        if not _relevant(old, new, (*RENDER_FIELDS, "resolved_version")):
            return None
        versions = frozenset(str(i["resolved_version"]) for i in images if i.get("resolved_version"))
        return ToolChange(name, versions, labels)
    if is_semver(sk):
        if not _relevant(old, new, RENDER_FIELDS):
            return None
        return ToolChange(name, frozenset({sk}), labels)
    return None


def is_agent_safe_tool_key(name: str) -> bool:
    """Tool partitions only (binding items live under ``function#…``)."""
    return "#" not in name


def merge_tool_changes(changes: Iterable[ToolChange]) -> list[ToolChange]:
    """One change per tool (versions and labels united), by tool name."""
    merged: dict[str, ToolChange] = {}
    for c in changes:
        seen = merged.get(c.tool_name)
        merged[c.tool_name] = (
            c if seen is None else ToolChange(c.tool_name, seen.versions | c.versions, seen.labels | c.labels)
        )
    return [merged[n] for n in sorted(merged)]


def agent_change(record: Mapping[str, Any]) -> AgentChange | None:
    """The spec change an AgentRegistry stream record carries, or ``None`` (index/directory items,
    derived-state writes, the final removal of a deleted agent)."""
    name = _keys(record).get("agent_name")
    if not isinstance(name, str) or not is_agent_key(name):
        return None
    old, new = _images(record)
    if new is None or new.get("kind") != "agent":
        return None
    if old is not None and old.get("generation") == new.get("generation"):
        return None
    return AgentChange(name, int(new["generation"]))


def affected_agents(changes: Iterable[ToolChange], index: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Agent → the tool refs that may affect it, from selector-index entries (see ``agents.keys``).

    A name entry counts when its range contains a touched version; a tag entry whenever the label
    was on the old or new image. Over-approximation is safe (the hash check skips no-ops).
    """
    out: dict[str, set[str]] = {}
    for change in changes:
        for element in index.get(name_index_key(change.tool_name), ()):
            agent, rng = parse_entry(element)
            parsed = SemVerRange.parse(rng or "*")
            if any(parsed.contains(v) for v in change.versions):
                out.setdefault(agent, set()).update(change.refs)
        for label in change.labels:
            for element in index.get(tag_index_key(label), ()):
                out.setdefault(parse_entry(element)[0], set()).update(change.refs)
    return out
