from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sfa.cli import app
from tests.tool_sdk.helpers import make_manifest_data
from tool_sdk import is_valid_aws_tag

runner = CliRunner()


def big_manifest_file(tmp_path: Path) -> Path:
    props = {
        f"field_{i}": {"type": "string", "description": f"Field number {i} of this rather large tool input."}
        for i in range(140)
    }
    data = make_manifest_data(input_schema={"type": "object", "properties": props})
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(data))
    assert len(json.dumps(data)) >= 10_000
    return path


def encode(path: Path, fmt: str) -> str:
    result = runner.invoke(app, ["tags", str(path), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def decode(tmp_path: Path, tags: object) -> object:
    path = tmp_path / "tags.json"
    path.write_text(json.dumps(tags))
    return runner.invoke(app, ["tags", "decode", str(path)])


def test_ten_kb_manifest_round_trips_through_the_cli(tmp_path):
    source = big_manifest_file(tmp_path)
    tags = json.loads(encode(source, "json"))
    assert len([k for k in tags if k.startswith("agent-tool:m")]) >= 2
    assert all(is_valid_aws_tag(k, v) for k, v in tags.items())
    result = decode(tmp_path, tags)
    assert result.exit_code == 0, result.output
    decoded = json.loads(result.stdout)
    original = yaml.safe_load(source.read_text())
    assert {k: decoded[k] for k in original} == original


def test_dropping_or_corrupting_any_part_gives_a_typed_error(tmp_path):
    tags = json.loads(encode(big_manifest_file(tmp_path), "json"))
    for key in sorted(tags):
        result = decode(tmp_path, {k: v for k, v in tags.items() if k != key})
        assert result.exit_code == 1
        assert re.search(r"error: \w+Error: ", result.stderr), result.stderr
        corrupted = {**tags, key: tags[key][:-3] + ("xyz" if not tags[key].endswith("xyz") else "abc")}
        result = decode(tmp_path, corrupted)
        assert result.exit_code == 1, key
        assert re.search(r"error: \w+Error: ", result.stderr)


def test_decode_accepts_aws_shapes(tmp_path):
    tags = json.loads(encode(big_manifest_file(tmp_path), "json"))
    assert decode(tmp_path, {"Tags": tags}).exit_code == 0
    assert decode(tmp_path, [{"Key": k, "Value": v} for k, v in tags.items()]).exit_code == 0
    assert decode(tmp_path, {"Tags": [1, 2]}).exit_code == 1


def test_aws_cli_output_is_a_ready_command(tmp_path):
    source = big_manifest_file(tmp_path)
    argv = shlex.split(encode(source, "aws-cli"))
    assert argv[:4] == ["aws", "lambda", "tag-resource", "--resource"]
    assert json.loads(argv[argv.index("--tags") + 1]) == json.loads(encode(source, "json"))


def test_sam_and_terraform_blocks_hold_the_same_tags(tmp_path):
    source = big_manifest_file(tmp_path)
    expected = json.loads(encode(source, "json"))
    assert yaml.safe_load(encode(source, "sam"))["Tags"] == expected
    hcl = encode(source, "terraform")
    assert hcl.startswith("tags = {")
    assert dict(re.findall(r'^\s+"([^"]+)" = "([^"]*)"$', hcl, re.M)) == expected


def test_cdk_snippet_adds_each_tag_to_the_function_only(tmp_path):
    source = big_manifest_file(tmp_path)
    added: dict[str, str] = {}

    class FakeTags:
        @staticmethod
        def of(scope):
            assert scope == "FN"
            return FakeTags

        @staticmethod
        def add(key, value, include_resource_types):
            assert include_resource_types == ["AWS::Lambda::Function"]
            added[key] = value

    snippet = encode(source, "cdk").replace("from aws_cdk import Tags", "")
    exec(compile(snippet, "cdk_snippet", "exec"), {"Tags": FakeTags, "fn": "FN"})
    assert added == json.loads(encode(source, "json"))


@pytest.mark.parametrize("fmt", ["json", "aws-cli", "cdk", "sam", "terraform"])
def test_invalid_manifest_is_refused_in_every_format(tmp_path, fmt):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(make_manifest_data(version="1.0")))
    result = runner.invoke(app, ["tags", str(path), "--format", fmt])
    assert result.exit_code == 1
    assert "version:" in result.stderr
