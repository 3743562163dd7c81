from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sfa.cli import app
from tests.tool_sdk.helpers import make_manifest_data

runner = CliRunner()


def write(tmp_path: Path, data: dict, name: str = "manifest.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if name.endswith(".yaml") else json.dumps(data))
    return path


def test_valid_manifest_prints_one_line_summary(tmp_path):
    result = runner.invoke(app, ["manifest", "validate", str(write(tmp_path, make_manifest_data()))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("ok: convert_units@1.2.0 (active)")


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"name": "bad name!"}, "name"),
        ({"version": "1.0"}, "version"),
        ({"input_schema": {"type": "objekt"}}, "input_schema.type"),
        ({"input_schema": {"type": "array", "items": {}}}, "input_schema.type"),
    ],
)
def test_invalid_manifest_lists_problem_by_field_path(tmp_path, override, path):
    result = runner.invoke(
        app, ["manifest", "validate", str(write(tmp_path, make_manifest_data(**override)))]
    )
    assert result.exit_code == 1
    assert f"  {path}: " in result.stderr


def test_all_problems_listed_and_json_files_accepted(tmp_path):
    data = make_manifest_data(name="bad name", version="x", input_schema={"type": "objekt"})
    result = runner.invoke(app, ["manifest", "validate", str(write(tmp_path, data, "m.json"))])
    assert result.exit_code == 1
    assert "3 problem(s)" in result.stderr or "4 problem(s)" in result.stderr
    for path in ("name:", "version:", "input_schema.type:"):
        assert path in result.stderr


def test_missing_file_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["manifest", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "cannot read" in result.stderr


def test_schema_prints_the_manifest_json_schema():
    result = runner.invoke(app, ["manifest", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"name", "version", "description", "input_schema"} <= set(schema["required"])
