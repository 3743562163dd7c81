"""ToolRegistry: the table spec and the typed read API (no Scan anywhere)."""

from __future__ import annotations

from typing import Any

import pytest

from control_plane.errors import InvalidQueryError, ToolNotFoundError, VersionNotFoundError
from control_plane.registry import ToolRegistry, agent_registry_table_spec, tool_registry_table_spec
from tests.control_plane.helpers import manifest


class RecordingClient:
    """Wraps a boto3 client and records which operations were called."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.operations = inner, []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if callable(attr):
            self.operations.append(name)
        return attr


def test_table_specs_create_what_design_md_says(cp, config):
    ddb = cp.client("dynamodb")
    table = ddb.describe_table(TableName=config.tool_table)["Table"]
    assert [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]] == [
        ("tool_name", "HASH"),
        ("version", "RANGE"),
    ]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert sorted(g["IndexName"] for g in table["GlobalSecondaryIndexes"]) == [
        "by-language",
        "by-status",
        "by-tag",
    ]
    agents = ddb.describe_table(TableName=config.agent_table)["Table"]
    assert agents["KeySchema"] == [{"AttributeName": "agent_name", "KeyType": "HASH"}]
    assert agents["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert tool_registry_table_spec("prod")["TableName"] == "ToolRegistry-prod"
    assert agent_registry_table_spec("prod")["TableName"] == "AgentRegistry-prod"


@pytest.fixture
def populated(tools, registrar):
    """convert_units 1.0.0 → 1.1.0 → 2.0.0-rc.1 on one function; text_stats (node, deprecated)."""
    tools.create("tool-convert", manifest("convert_units", "1.0.0"))
    registrar.sync("tool-convert")
    for version, build in (("1.1.0", "b"), ("2.0.0-rc.1", "c")):
        tools.update_code("tool-convert", build)
        tools.retag("tool-convert", manifest("convert_units", version))
        registrar.sync("tool-convert")
    tools.create(
        "tool-text", manifest("text_stats", "0.3.0", language="nodejs", tags=["text"], status="deprecated")
    )
    registrar.sync("tool-text")
    tools.create("tool-fx", manifest("fx_rates", "3.0.0", tags=["travel", "money"]))
    registrar.sync("tool-fx")


def test_get_latest_exact_and_ranges(populated, registry):
    # the function now serves 2.0.0-rc.1; 1.0.0 and 1.1.0 stay active (their published versions keep
    # their code), so latest is the highest active release, not the prerelease
    assert registry.get("convert_units").version == "1.1.0"
    assert registry.get("convert_units", "1.1.0").status == "active"
    assert registry.get("convert_units", "^2.0.0-rc.0").version == "2.0.0-rc.1"
    assert registry.get("convert_units", "^1").version == "1.1.0"
    assert registry.get("convert_units", "~1.0").version == "1.0.0"
    with pytest.raises(VersionNotFoundError):
        registry.get("convert_units", "9.9.9")
    with pytest.raises(ToolNotFoundError):
        registry.get("no_such_tool")
    with pytest.raises(ToolNotFoundError):
        registry.get("text_stats")  # deprecated: no active version, so no latest
    assert registry.get("text_stats", "0.3.0").status == "deprecated"
    with pytest.raises(InvalidQueryError):
        registry.get("convert_units", "not a range!")
    with pytest.raises(InvalidQueryError):
        registry.get("bad name")


def test_history_is_every_version_in_semver_order(populated, registry):
    history = registry.history("convert_units", consistent=True)
    assert [(r.version, r.status) for r in history] == [
        ("1.0.0", "active"),
        ("1.1.0", "active"),
        ("2.0.0-rc.1", "active"),
    ]
    assert len({r.code_sha256 for r in history}) == 3
    # each runs its own published Lambda version
    assert [r.lambda_arn.rsplit(":", 1)[1] for r in history] == ["1", "2", "3"]


def test_list_by_language_tag_status_without_scan(populated, registry):
    recording = RecordingClient(registry.client)
    reg = ToolRegistry(registry.table_name, recording)
    assert [r.ref for r in reg.list()] == ["fx_rates@3.0.0", "convert_units@1.1.0"]  # newest first
    assert [r.ref for r in reg.list(language="python")] == ["convert_units@1.1.0", "fx_rates@3.0.0"]
    assert [r.ref for r in reg.list(language="nodejs")] == []  # text_stats is deprecated
    assert [r.ref for r in reg.list(tag="travel")] == ["convert_units@1.1.0", "fx_rates@3.0.0"]
    assert [r.ref for r in reg.list(tag="money", language="python")] == ["fx_rates@3.0.0"]
    assert [r.ref for r in reg.list(status="deprecated")] == ["text_stats@0.3.0"]
    assert [r.ref for r in reg.list(status="disabled")] == []
    assert [r.ref for r in reg.list(status="disabled", tag="nope")] == []
    with pytest.raises(InvalidQueryError):
        reg.list(status="gone")
    assert "scan" not in recording.operations
    assert set(recording.operations) <= {"query", "batch_get_item"}


def test_tag_index_follows_the_latest_version(tools, registrar, registry):
    tools.create("tool-tagged", manifest("tagged", "1.0.0", tags=["a", "b"]))
    registrar.sync("tool-tagged")
    tools.update_code("tool-tagged", "b")
    tools.retag("tool-tagged", manifest("tagged", "1.1.0", tags=["b", "c"]))
    registrar.sync("tool-tagged")
    assert [r.ref for r in registry.list(tag="a")] == []
    assert [r.ref for r in registry.list(tag="c")] == ["tagged@1.1.0"]
    sks = sorted(i["version"] for i in registry.partition("tagged"))
    assert sks == ["1.0.0", "1.1.0", "latest", "owner", "tag#b", "tag#c"]
    tools.untag("tool-tagged")
    registrar.sync("tool-tagged")
    assert registry.list(tag="b") == []
    assert sorted(i["version"] for i in registry.partition("tagged")) == ["1.0.0", "1.1.0", "owner"]


def test_live_function_names_lists_bindings_not_known_deleted(tools, registrar, registry):
    for name in ("tool-a", "tool-b"):
        tools.create(name, manifest(name.replace("-", "_")))
        registrar.sync(name)
    tools.delete("tool-b")
    registrar.sync("tool-b")
    assert registry.live_function_names() == ["tool-a"]
    assert registry.binding("tool-b").state == "deleted"
    assert registry.owner("tool_b") is None  # a deleted function releases its names
    assert registry.owner("tool_a").owner_function_name == "tool-a"
