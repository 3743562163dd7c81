"""Synthesized assemblies shared by the infra tests: two synths per session, both with cdk-nag.

* ``platform`` — the platform app with two environments: ``dev`` (every default) and ``ci``
  (the options: trail, prefixes, content expiry, an extra tool, no SnapStart, canary rollout,
  Bedrock, model aliases).
* ``example`` — examples/cdk_app (two ToolFunctions, one Agent, a RegistrySubscription).

Bundling is ``skip`` (no network): the assets hold our sources only.
"""

from __future__ import annotations

import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CONTEXT = {"sfa:bundling": "skip"}
EXTRA_TOOL = "arn:aws:lambda:us-east-1:123456789012:function:team-a-search"


@dataclass
class Synth:
    """An assembly on disk: templates by stack name, the nag report, the output directory."""

    outdir: Path
    templates: dict[str, dict[str, Any]]
    assembly: Any
    app: Any


def _synth(app: Any, outdir: Path) -> Synth:
    import json

    assembly = app.synth()
    templates = {
        s.stack_name: json.loads(Path(s.template_full_path).read_text(encoding="utf-8"))
        for s in assembly.stacks
    }
    return Synth(outdir=outdir, templates=templates, assembly=assembly, app=app)


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    import aws_cdk as cdk
    from aws_cdk import aws_codedeploy as codedeploy
    from cdk_nag import AwsSolutionsChecks

    from infra.app import add_platform
    from infra.stacks.shared import SharedInfraProps

    outdir = tmp_path_factory.mktemp("platform")
    app = cdk.App(outdir=str(outdir), context=CONTEXT)
    add_platform(app, SharedInfraProps(env="dev"))
    add_platform(
        app,
        SharedInfraProps(
            env="ci",
            create_trail=True,
            allowed_function_prefixes=("tool-", "team-a-"),
            regenerate_on_agent_changes=False,
            agent_render_options={"tool_concurrency": 4},
            event_archive_retention=None,
            content_expiration_days=7,
            extra_agent_function_arns=(EXTRA_TOOL,),
        ),
        snap_start=False,
        llm_props={
            "deployment_config": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
            "bedrock_model_arns": ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku"],
            "model_aliases": {"fast": "anthropic:claude-haiku-4-5"},
            "preload_providers": ("anthropic",),
        },
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return _synth(app, outdir)


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from examples.cdk_app.app import build_app

    outdir = tmp_path_factory.mktemp("example")
    app = build_app(str(outdir), {**CONTEXT, "env": "dev"})
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return _synth(app, outdir)
