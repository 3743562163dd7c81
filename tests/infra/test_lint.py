"""cfn-lint on every synthesized template (no errors) and cdk-nag's verdict on both apps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.infra.conftest import Synth

# Warnings we accept, each for a reason (cfn-lint reports them; they are not errors):
ACCEPTED_WARNINGS = {
    # CDK adds DependsOn on a function's role policy even where a GetAtt already orders them.
    "W3005",
}


def _cfn_lint(paths: list[Path]) -> list[tuple[str, str, str]]:
    """``(level, rule id, message)`` of every cfn-lint finding (cfn-lint's Python API)."""
    from cfnlint.api import lint_file

    findings = []
    for path in paths:
        for match in lint_file(path):
            level = getattr(match.rule, "severity", "") or match.rule.id[0]
            findings.append((str(level).lower(), match.rule.id, f"{path.name}: {match.message}"))
    return findings


@pytest.mark.parametrize("which", ["platform", "example"])
def test_cfn_lint_no_errors(request: pytest.FixtureRequest, which: str) -> None:
    synth: Synth = request.getfixturevalue(which)
    paths = sorted(synth.outdir.glob("*.template.json"))
    assert len(paths) == len(synth.templates)
    findings = _cfn_lint(paths)
    errors = [f for f in findings if f[1].startswith("E")]
    assert errors == [], errors[:10]
    unexpected = [f for f in findings if not f[1].startswith("E") and f[1] not in ACCEPTED_WARNINGS]
    assert unexpected == [], unexpected[:10]


@pytest.mark.parametrize("which", ["platform", "example"])
def test_cdk_nag_aws_solutions_passes(request: pytest.FixtureRequest, which: str) -> None:
    """The fixtures synthesize with AwsSolutionsChecks: any unacknowledged finding fails the synth."""
    synth: Synth = request.getfixturevalue(which)
    report = json.loads((synth.outdir / "validation-report.json").read_text(encoding="utf-8"))
    verdicts = {p["pluginName"]: p["conclusion"] for p in report["pluginReports"]}
    assert verdicts == {"AwsSolutions": "success"}


def test_acknowledgements_need_a_reason() -> None:
    import aws_cdk as cdk

    from infra.nag import acknowledge, finding_id

    assert finding_id("IAM5", "Resource::*") == "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
    with pytest.raises(ValueError):
        acknowledge(cdk.Stack(), "IAM5", "  ")
