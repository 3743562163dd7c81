"""Stream records → changes → affected agents (pure)."""

from __future__ import annotations

from typing import Any

from control_plane.regenerator.changes import (
    ToolChange,
    affected_agents,
    agent_change,
    merge_tool_changes,
    source_table,
    tool_change,
)
from control_plane.registry.codec import to_attribute_map

TOOL_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/ToolRegistry-dev/stream/2026-01-01T00:00:00.000"


def record(keys: dict[str, str], old: dict | None, new: dict | None, name: str = "MODIFY") -> dict[str, Any]:
    ddb: dict[str, Any] = {"Keys": to_attribute_map(keys), "SequenceNumber": "1"}
    if old is not None:
        ddb["OldImage"] = to_attribute_map({**keys, **old})
    if new is not None:
        ddb["NewImage"] = to_attribute_map({**keys, **new})
    return {"eventName": name, "dynamodb": ddb, "eventSourceARN": TOOL_ARN}


def version(**fields: Any) -> dict[str, Any]:
    base = {
        "status": "active",
        "lambda_arn": "arn:x",
        "description": "d",
        "tags": ["travel"],
        "code_sha256": "a",
    }
    return {**base, **fields}


def test_source_table_from_the_stream_arn():
    assert source_table({"eventSourceARN": TOOL_ARN}) == "ToolRegistry-dev"


def test_version_changes_that_do_not_render_are_dropped():
    keys = {"tool_name": "convert_units", "version": "1.0.0"}
    assert tool_change(record(keys, version(), version(code_sha256="b", updated_at="later"))) is None
    change = tool_change(record(keys, version(), version(status="deprecated", tags=["math"])))
    assert change == ToolChange("convert_units", frozenset({"1.0.0"}), frozenset({"travel", "math"}))
    inserted = tool_change(record(keys, None, version(), "INSERT"))
    assert inserted == ToolChange("convert_units", frozenset({"1.0.0"}), frozenset({"travel"}))


def test_latest_pointer_carries_old_and_new_versions_and_labels():
    keys = {"tool_name": "t", "version": "latest"}
    old = version(resolved_version="1.0.0", tags=["travel"])
    new = version(resolved_version="2.0.0", tags=["finance"])
    assert tool_change(record(keys, old, new)) == ToolChange(
        "t", frozenset({"1.0.0", "2.0.0"}), frozenset({"travel", "finance"})
    )


def test_tag_items_count_when_they_appear_or_disappear_other_items_never():
    tag = {"tool_name": "t", "version": "tag#travel"}
    assert tool_change(record(tag, None, {}, "INSERT")) == ToolChange("t", labels=frozenset({"travel"}))
    assert tool_change(record(tag, {}, None, "REMOVE")) == ToolChange("t", labels=frozenset({"travel"}))
    assert tool_change(record(tag, {}, {"x": 1})) is None
    assert tool_change(record({"tool_name": "t", "version": "owner"}, None, {"o": 1}, "INSERT")) is None
    binding = {"tool_name": "function#tool-t-dev", "version": "binding"}
    assert tool_change(record(binding, None, {"state": "serving"}, "INSERT")) is None


def test_merge_unites_versions_and_labels_per_tool():
    merged = merge_tool_changes(
        [
            ToolChange("b", frozenset({"1.0.0"})),
            ToolChange("a", labels=frozenset({"x"})),
            ToolChange("b", labels=frozenset({"y"})),
        ]
    )
    assert merged == [
        ToolChange("a", labels=frozenset({"x"})),
        ToolChange("b", frozenset({"1.0.0"}), frozenset({"y"})),
    ]


def test_affected_agents_filter_name_entries_by_range_and_match_any_label():
    index = {
        "sel#name:convert_units": {"pinned@^1", "any@*", "two@^2", "pre@>=2.0.0-beta.1 <3"},
        "sel#tag:travel": {"tagged"},
        "sel#tag:finance": {"leaving"},
    }
    change = ToolChange("convert_units", frozenset({"1.4.0"}), frozenset({"travel", "finance"}))
    assert affected_agents([change], index) == {
        "pinned": {"convert_units@1.4.0"},
        "any": {"convert_units@1.4.0"},
        "tagged": {"convert_units@1.4.0"},
        "leaving": {"convert_units@1.4.0"},
    }
    prerelease = ToolChange("convert_units", frozenset({"2.0.0-beta.2"}))
    # npm semantics: only a range naming a prerelease of that version admits it ("*" does not)
    assert set(affected_agents([prerelease], index)) == {"pre"}


def test_agent_records_matter_only_when_the_generation_changes():
    keys = {"agent_name": "a"}
    assert agent_change(record(keys, None, {"kind": "agent", "generation": 1}, "INSERT")).generation == 1
    assert (
        agent_change(
            record(keys, {"kind": "agent", "generation": 1}, {"kind": "agent", "generation": 2})
        ).generation
        == 2
    )
    derived = record(
        keys, {"kind": "agent", "generation": 2}, {"kind": "agent", "generation": 2, "status": "ready"}
    )
    assert agent_change(derived) is None
    assert agent_change(record(keys, {"kind": "agent", "generation": 2}, None, "REMOVE")) is None
    assert agent_change(record({"agent_name": "sel#tag:x"}, None, {"agents": ["a"]}, "INSERT")) is None
