from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.tool_sdk.helpers import make_manifest_data
from tool_sdk import (
    ManifestLoadError,
    ManifestValidationError,
    SchemaVerdict,
    ToolManifest,
    load_manifest,
    portability,
    validate_manifest,
)
from tool_sdk.schema import SCHEMA_PATH, manifest_json_schema_text


def problems_of(data: dict) -> dict[str, str]:
    with pytest.raises(ManifestValidationError) as info:
        validate_manifest(data)
    found: dict[str, str] = {}
    for p in info.value.problems:
        found[p.path] = f"{found[p.path]} | {p.message}" if p.path in found else p.message
    return found


def test_valid_manifest_round_trips_with_defaults(manifest_data):
    manifest, _ = validate_manifest(manifest_data)
    assert manifest.name == "convert_units"
    assert manifest.status == "active"
    assert manifest.human_approval_required is False
    assert manifest.secrets == []
    assert ToolManifest.model_validate(manifest.canonical_dict()) == manifest


@pytest.mark.parametrize(
    ("override", "path", "fragment"),
    [
        ({"name": "bad name"}, "name", "not a valid tool name"),
        ({"name": "x" * 65}, "name", "not a valid tool name"),
        ({"version": "1.0"}, "version", "not a SemVer 2.0.0 version"),
        ({"version": "01.0.0"}, "version", "not a SemVer"),
        ({"description": "  "}, "description", "at least 1 character"),
        ({"description": "x" * 4097}, "description", "at most 4096"),
        ({"input_schema": {"type": "objekt"}}, "input_schema.type", "not a JSON Schema type"),
        ({"input_schema": {"type": "array"}}, "input_schema.type", "root must have type 'object'"),
        (
            {"input_schema": {"type": "object", "properties": {"q": {"type": "strng"}}}},
            "input_schema.properties.q.type",
            "not a JSON Schema type",
        ),
        ({"input_schema": {"type": "object", "required": "q"}}, "input_schema.required", "not of type"),
        ({"output_schema": {"type": "string"}}, "output_schema.type", "root must have type"),
        ({"tags": ["Travel"]}, "tags", "lowercase label"),
        ({"tags": ["a", "a"]}, "tags", "duplicate"),
        ({"status": "retired"}, "status", "active"),
        ({"timeout_seconds": 0}, "timeout_seconds", "greater than or equal to 1"),
        ({"secrets": ["bad name!"]}, "secrets", "secret name"),
        ({"colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_each_problem_is_reported_at_its_field_path(manifest_data, override, path, fragment):
    problems = problems_of({**manifest_data, **override})
    assert path in problems, problems
    assert fragment in problems[path]


def test_every_problem_is_listed_at_once(manifest_data):
    problems = problems_of(
        {**manifest_data, "name": "no spaces", "version": "v1", "input_schema": {"type": "objekt"}}
    )
    assert {"name", "version", "input_schema.type"} <= set(problems)


def test_missing_required_fields(manifest_data):
    problems = problems_of({"description": "x"})
    assert {"name", "version", "input_schema"} <= set(problems)


def test_non_mapping_is_rejected():
    with pytest.raises(ManifestValidationError, match="mapping"):
        validate_manifest(["not", "a", "dict"])


def test_loads_yaml_and_json(tmp_path: Path, manifest_data):
    import yaml

    (tmp_path / "m.yaml").write_text(yaml.safe_dump(manifest_data))
    (tmp_path / "m.json").write_text(json.dumps(manifest_data))
    assert load_manifest(tmp_path / "m.yaml") == load_manifest(tmp_path / "m.json")


def test_unreadable_and_unparseable_files(tmp_path: Path):
    with pytest.raises(ManifestLoadError, match="cannot read"):
        load_manifest(tmp_path / "missing.yaml")
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(ManifestLoadError, match="not valid JSON"):
        load_manifest(tmp_path / "bad.json")


def test_portability_hook_rejects_schema_no_provider_accepts(manifest_data, monkeypatch):
    monkeypatch.setattr(portability, "_checkers", {})
    monkeypatch.setattr(portability, "_entry_points_loaded", True)
    portability.register_schema_checker("p1", lambda s: SchemaVerdict("p1", False, reason="no $ref"))
    portability.register_schema_checker("p2", lambda s: SchemaVerdict("p2", False, reason="too deep"))
    problems = problems_of(manifest_data)
    assert "p1: no $ref" in problems["input_schema"] and "p2: too deep" in problems["input_schema"]

    portability.register_schema_checker("p2", lambda s: SchemaVerdict("p2", True, lossy=("drops format",)))
    _, report = validate_manifest(manifest_data)
    assert report.accepted_by == ["p2"]
    assert report.warnings == {"p1": ["rejected: no $ref"], "p2": ["drops format"]}


def test_exported_schema_file_is_current():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == manifest_json_schema_text(), (
        "tool_sdk/manifest.schema.json is stale: run `sfa manifest schema > tool_sdk/manifest.schema.json`"
    )


def test_exported_schema_accepts_a_valid_manifest(manifest_data):
    from jsonschema import Draft202012Validator

    Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).validate(manifest_data)


@given(st.dictionaries(st.text(max_size=10), st.none() | st.integers() | st.text(max_size=20), max_size=6))
def test_random_mappings_never_crash_validation(data):
    try:
        validate_manifest(data)
    except ManifestValidationError as exc:
        assert exc.problems


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=12,
    )
)
def test_random_input_schemas_are_accepted_or_rejected_with_paths(schema):
    data = make_manifest_data(input_schema=schema)
    try:
        manifest, _ = validate_manifest(data)
    except ManifestValidationError as exc:
        assert all(p.path.startswith("input_schema") for p in exc.problems)
    else:
        assert manifest.input_schema["type"] == "object"
