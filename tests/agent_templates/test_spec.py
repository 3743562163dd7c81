"""Agent spec: loading, every-problem validation by field path, selectors, approval policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from agent_templates import (
    AgentSpec,
    AgentSpecLoadError,
    AgentSpecValidationError,
    ToolSelector,
    load_agent_spec,
    parse_selector,
    validate_agent_spec,
)
from tool_sdk.errors import SfaError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agents" / "trip-planner.yaml"


def test_example_spec_loads() -> None:
    spec = load_agent_spec(EXAMPLE)
    assert spec.name == "trip-planner"
    assert spec.model == "anthropic:claude-sonnet-4-5"
    assert spec.fallbacks == ("openai:gpt-5-mini",)
    assert [str(s) for s in spec.tools] == ["convert_units@^1", "tag:text"]
    assert spec.max_turns == 10
    assert spec.max_tokens_per_run == 50000
    assert spec.approval.mode == "manifest"


def test_canonical_dict_round_trips_and_hash_is_stable() -> None:
    spec = load_agent_spec(EXAMPLE)
    data = spec.canonical_dict()
    assert data["tools"] == ["convert_units@^1", "tag:text"]
    assert "approval" not in data  # defaults are left out
    again = validate_agent_spec(data)
    assert again == spec
    assert again.sha256() == spec.sha256()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("web_scraper@^1.2", {"name": "web_scraper", "version_range": "^1.2", "tag": None}),
        ("web_scraper", {"name": "web_scraper", "version_range": None, "tag": None}),
        ("tag:finance", {"name": None, "version_range": None, "tag": "finance"}),
        ("convert_units@>=1.0.0 <3", {"name": "convert_units", "version_range": ">=1.0.0 <3", "tag": None}),
        ({"name": "x", "version": "~1.4"}, {"name": "x", "version_range": "~1.4", "tag": None}),
        ({"tag": "travel"}, {"name": None, "version_range": None, "tag": "travel"}),
    ],
)
def test_selector_forms(text: object, expected: dict[str, object]) -> None:
    selector = ToolSelector.model_validate(text)
    assert {"name": selector.name, "version_range": selector.version_range, "tag": selector.tag} == expected
    assert ToolSelector.model_validate(str(selector)) == selector


def test_selector_matching() -> None:
    caret = parse_selector("web_scraper@^1.2")
    assert caret.accepts("web_scraper", "1.4.0", ())
    assert not caret.accepts("web_scraper", "2.0.0", ())
    assert not caret.accepts("web_scraper", "1.1.9", ())
    assert not caret.accepts("other", "1.4.0", ())
    tag = parse_selector("tag:finance")
    assert tag.accepts("any", "3.0.0", ("finance", "x"))
    assert not tag.accepts("any", "3.0.0", ("travel",))
    assert not tag.accepts("any", "3.1.0-rc.1", ("finance",))  # prereleases only by explicit range


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("web scraper", "not a tool name"),
        ("web_scraper@", "empty"),
        ("web_scraper@^1.x.y.z", "not a SemVer range"),
        ("tag:Finance", "lowercase tag label"),
        ("tag:", "lowercase tag label"),
    ],
)
def test_bad_selectors_say_why(text: str, needle: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_selector(text)
    assert needle in str(info.value)


def test_every_problem_is_listed_by_field_path() -> None:
    data = {
        "name": "bad name!",
        "model": "no spaces allowed",
        "fallbacks": ["anthropic:claude", "anthropic:claude"],
        "tools": ["ok_tool@^1", "bad tool", "tag:x", "tag:x", "ok_tool"],
        "max_turns": 0,
        "max_tokens_per_run": -5,
        "approval": {"mode": "sometimes", "timeout_seconds": 0},
        "surprise": True,
    }
    with pytest.raises(AgentSpecValidationError) as info:
        validate_agent_spec(data)
    paths = {p.path for p in info.value.problems}
    assert {
        "name",
        "model",
        "fallbacks",
        "tools.1",
        "max_turns",
        "max_tokens_per_run",
        "approval.mode",
        "approval.timeout_seconds",
        "surprise",
    } <= paths
    assert isinstance(info.value, SfaError)
    assert "invalid agent spec" in str(info.value)


def test_duplicate_selectors_are_reported_with_both_paths() -> None:
    with pytest.raises(AgentSpecValidationError) as info:
        validate_agent_spec(
            {"name": "a", "model": "offline:default", "tools": ["x@^1", "tag:t", "x", "tag:t"]}
        )
    messages = {p.path: p.message for p in info.value.problems}
    assert messages["tools.2"] == "tool 'x' is already selected by tools.0"
    assert messages["tools.3"] == "tag 't' is already selected by tools.1"
    with pytest.raises(ValidationError):  # the model itself rejects it too, not only the helper
        AgentSpec.model_validate({"name": "a", "model": "offline:default", "tools": ["x", "x@^2"]})


def test_fallback_repeating_the_model_is_rejected() -> None:
    with pytest.raises(AgentSpecValidationError) as info:
        validate_agent_spec({"name": "a", "model": "openai:gpt-5", "fallbacks": "openai:gpt-5"})
    assert [p.path for p in info.value.problems] == ["fallbacks"]


def test_models_aliases_and_bedrock_ids_are_accepted() -> None:
    for model in [
        "offline:default",
        "fast",
        "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0",
        "gemini:gemini-2.5-pro",
    ]:
        assert validate_agent_spec({"name": "a", "model": model}).model == model


def test_approval_policy_shorthand_and_union() -> None:
    spec = validate_agent_spec(
        {
            "name": "a",
            "model": "offline:default",
            "approval": {"tools": ["b", "a", "b"], "timeout_seconds": 60},
        }
    )
    assert spec.approval.tools == ("a", "b")
    assert spec.approval.requires_approval("a", False)
    assert spec.approval.requires_approval("z", True)
    assert not spec.approval.requires_approval("z", False)
    every = validate_agent_spec({"name": "a", "model": "offline:default", "approval": "all"})
    assert every.approval.requires_approval("anything", False)


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(AgentSpecLoadError, match="cannot read"):
        load_agent_spec(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    with pytest.raises(AgentSpecLoadError, match="not valid YAML"):
        load_agent_spec(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    with pytest.raises(AgentSpecValidationError, match="mapping"):
        load_agent_spec(listed)
    as_json = tmp_path / "a.json"
    as_json.write_text('{"name": "j", "model": "offline:default", "tools": ["tag:text"]}')
    assert load_agent_spec(as_json).tools[0].tag == "text"


def test_selector_field_form_is_validated_too() -> None:
    assert ToolSelector(name="x", version_range="^1").version_range == "^1"
    for bad in ({"name": "x", "version_range": "^1.x.y.z"}, {"name": "x", "tag": "t"}, {"tag": "Bad"}, {}):
        with pytest.raises(ValidationError):
            ToolSelector.model_validate(bad)
