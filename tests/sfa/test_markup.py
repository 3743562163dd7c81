"""Content that looks like Rich markup prints as is (issue 12, item 16): no MarkupError, no lost text.

Tag values, paths, YAML snippets and error messages are content; ``sfa`` prints them without markup
(``sfa.output``). Runs of agents whose inputs and answers hold markup are in test_agent_cmd.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sfa.cli import app
from sfa.output import err, fail, out, styled
from tests.tool_sdk.helpers import make_manifest_data

runner = CliRunner()
MARKUP = "[/bold] [red]x[/red] [link]"


def bracket_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "x[" / "b]"  # the path's text holds "x[/b]"
    folder.mkdir(parents=True)
    return folder


def test_a_tag_value_that_looks_like_markup_is_printed_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "tags.json"
    path.write_text(json.dumps({"agent-tool:name": "x", "agent-tool:digest": "[/bold]"}))
    result = runner.invoke(app, ["tags", "decode", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "MalformedTagError" in result.stderr and "got '[/bold]'" in result.stderr


def test_a_path_with_markup_and_yaml_errors_keep_their_brackets(tmp_path: Path) -> None:
    folder = bracket_dir(tmp_path)
    broken = folder / "manifest.yaml"
    broken.write_text("name: x\ndescription: see [link] here: bad\n")
    result = runner.invoke(app, ["manifest", "validate", str(broken)])
    assert result.exit_code == 1, result.output
    assert "x[/b]" in result.stderr and "is not valid YAML" in result.stderr
    assert "description: see [link] here: bad" in result.stderr  # the snippet, brackets kept

    invalid = folder / "invalid.yaml"
    invalid.write_text(yaml.safe_dump(make_manifest_data(name="bad [/b] name")))
    result = runner.invoke(app, ["manifest", "validate", str(invalid)])
    assert result.exit_code == 1, result.output
    assert f"{invalid}: 1 problem(s)" in result.stderr and "bad [/b] name" in result.stderr

    valid = folder / "valid.yaml"
    valid.write_text(yaml.safe_dump(make_manifest_data(description=f"Converts {MARKUP} units.")))
    result = runner.invoke(app, ["manifest", "validate", str(valid)])
    assert result.exit_code == 0, result.output


def test_fail_and_styled_lines_never_read_markup(capsys: pytest.CaptureFixture[str]) -> None:
    out.print(styled(("bold", "bold"), " ", MARKUP))
    err.print(MARKUP)
    try:
        fail(MARKUP, [MARKUP])
    except BaseException as exc:  # typer.Exit
        assert getattr(exc, "exit_code", None) == 1
    captured = capsys.readouterr()
    assert captured.out == f"bold {MARKUP}\n"
    assert captured.err == f"{MARKUP}\nerror: {MARKUP}\n  {MARKUP}\n"
