"""``sfa synth`` (infra.cli): context flags reach the app; the assembly lands where it says."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from infra.cli import app


def test_synth_command_writes_both_apps(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--env",
            "qa",
            "--out",
            str(tmp_path),
            "--bundling",
            "skip",
            "--trail",
            "--no-snap-start",
            "--example",
        ],
    )
    assert result.exit_code == 0, result.output
    shared = json.loads((tmp_path / "qa" / "sfa-shared-qa.template.json").read_text())
    llm = json.loads((tmp_path / "qa" / "sfa-llm-qa.template.json").read_text())
    assert any(r["Type"] == "AWS::CloudTrail::Trail" for r in shared["Resources"].values())
    gateway = next(r for r in llm["Resources"].values() if r["Type"] == "AWS::Lambda::Function")
    assert "SnapStart" not in gateway["Properties"]
    assert (tmp_path / "example-qa" / "sfa-example-tools-qa.template.json").is_file()
    assert "sfa-shared-qa" in result.output and "synthesized in" in result.output


def test_unknown_bundling_mode_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--out", str(tmp_path), "--bundling", "docker", "--no-nag"])
    assert result.exit_code != 0
    assert "sfa:bundling" in str(result.exception)


def test_mounts_as_a_plain_sfa_command_without_importing_cdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, typer\n"
        "from infra.cli import synth\n"
        "root = typer.Typer()\n"
        "root.command('synth')(synth)\n"
        "root.command('noop')(lambda: None)\n"
        "from typer.testing import CliRunner\n"
        "r = CliRunner().invoke(root, ['synth', '--help'])\n"
        "assert r.exit_code == 0 and '--snap-start' in r.output, r.output\n"
        "assert 'aws_cdk' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
