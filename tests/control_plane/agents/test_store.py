"""``AgentRegistry`` on the emulator: native spec maps, the selector index, the directory."""

from __future__ import annotations

from typing import Any

import pytest

from agent_templates import validate_agent_spec
from control_plane.agents import AgentNotFoundError, AgentRegistry, apply_agent, delete_agent
from control_plane.agents.keys import DIRECTORY_KEY


def spec(name: str = "trip-planner", **overrides: Any) -> Any:
    data = {
        "name": name,
        "model": "offline:default",
        "system": "You plan trips.",
        "tools": ["convert_units@^1", "tag:travel"],
        "temperature": 0.25,
    }
    data.update(overrides)
    return validate_agent_spec(data)


@pytest.fixture
def store(cp: Any, config: Any) -> AgentRegistry:
    return AgentRegistry(config.agent_table, cp.client("dynamodb"))


def raw(cp: Any, config: Any, key: str) -> dict[str, Any]:
    return cp.client("dynamodb").get_item(TableName=config.agent_table, Key={"agent_name": {"S": key}})[
        "Item"
    ]


def test_apply_stores_spec_as_native_maps_and_indexes_selectors(cp, config, store):
    result = store.apply(spec())

    assert result.changed and result.record.generation == 1 and result.record.status == "pending"
    item = raw(cp, config, "trip-planner")
    assert item["spec"]["M"]["tools"] == {"L": [{"S": "convert_units@^1"}, {"S": "tag:travel"}]}
    assert item["spec"]["M"]["temperature"] == {"N": "0.25"}
    assert result.record.agent_spec() == spec()
    assert store.lookup(["sel#name:convert_units", "sel#tag:travel", "sel#tag:none"]) == {
        "sel#name:convert_units": {"trip-planner@^1"},
        "sel#tag:travel": {"trip-planner"},
    }
    assert raw(cp, config, DIRECTORY_KEY)["agents"] == {"SS": ["trip-planner"]}


def test_identical_apply_writes_nothing_and_force_bumps_the_generation(store):
    store.apply(spec())
    again = store.apply(spec())
    assert not again.changed and again.record.generation == 1
    forced = store.apply(spec(), force=True)
    assert forced.changed and forced.record.generation == 2


def test_changing_selectors_moves_index_entries(store):
    store.apply(spec())
    store.apply(spec("other", tools=["tag:travel"]))
    store.apply(spec(tools=["convert_units@^2", "tag:finance"]))

    assert store.lookup(["sel#name:convert_units", "sel#tag:travel", "sel#tag:finance"]) == {
        "sel#name:convert_units": {"trip-planner@^2"},
        "sel#tag:travel": {"other"},
        "sel#tag:finance": {"trip-planner"},
    }
    assert [r.name for r in store.list()] == ["other", "trip-planner"]


def test_delete_marks_the_agent_and_drops_its_index_entries(store):
    store.apply(spec())
    record = store.delete("trip-planner")

    assert record.desired == "deleted" and record.status == "deleting" and record.generation == 2
    assert store.lookup(["sel#name:convert_units", "sel#tag:travel"]) == {
        "sel#name:convert_units": set(),
        "sel#tag:travel": set(),
    }
    with pytest.raises(AgentNotFoundError):
        store.require("trip-planner")
    with pytest.raises(AgentNotFoundError):
        store.delete("trip-planner")
    assert store.apply(spec()).record.generation == 3  # applying again revives it


def test_module_api_uses_the_environment(cp, config, monkeypatch):
    monkeypatch.setenv("SFA_ENV", config.env)
    assert apply_agent(spec("env-agent")).changed
    assert delete_agent("env-agent").desired == "deleted"


def test_large_selector_changes_fall_back_to_phased_writes(store):
    many = [f"tool_{i:03d}" for i in range(100)]
    store.apply(spec(tools=many))
    store.apply(spec(tools=[f"other_{i:03d}" for i in range(100)]))  # 200 index changes > 100 actions

    index = store.lookup([f"sel#name:{n}" for n in ("tool_000", "tool_099", "other_000", "other_099")])
    assert index["sel#name:tool_000"] == set() and index["sel#name:tool_099"] == set()
    assert index["sel#name:other_000"] == {"trip-planner@*"}
    assert store.get("trip-planner").generation == 2
