"""``sfa synth``: synthesize the platform (and optionally the example app) into a cloud assembly.

Mount in ``sfa`` with ``app.command("synth")(infra.cli.synth)`` (``sfa synth --env prod``), or run
``python -m infra.cli``. CDK is imported only when the command runs, so ``sfa --help`` stays fast
and works without the ``[infra]`` extra. No AWS credentials, CDK CLI or Docker are needed; the Lambda bundles
are built locally from the lock files (pip, arm64 wheels; PyPI or a wheelhouse).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app", "synth"]

app = typer.Typer(
    help="Synthesize the CDK app (offline: no AWS account, no Docker).",
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _quiet_jsii() -> None:
    """jsii prints a banner for Node releases it no longer tests; the synth works regardless."""
    major = os.popen("node --version").read().strip().lstrip("v").split(".")[0]
    if major.isdigit():
        for key in ("END_OF_LIFE", "DEPRECATED", "UNTESTED"):
            os.environ.setdefault(f"JSII_SILENCE_WARNING_{key}_NODE_VERSION", major)


@app.callback(invoke_without_command=True)
def synth(
    env: Annotated[str, typer.Option(help="Environment name (resource names end in -{env}).")] = "dev",
    out: Annotated[Path, typer.Option(help="Assembly directory: the platform goes to OUT/{env}.")] = Path(
        "cdk.out"
    ),
    trail: Annotated[
        bool, typer.Option(help="Create a CloudTrail trail (for accounts without one).")
    ] = False,
    snap_start: Annotated[bool, typer.Option(help="SnapStart on the gateway's published versions.")] = True,
    bundling: Annotated[
        str,
        typer.Option(help="pip: real arm64 bundles; skip: sources only (review templates, never deploy)."),
    ] = "pip",
    wheelhouse: Annotated[
        Path | None, typer.Option(help="Install bundle wheels from this directory instead of PyPI.")
    ] = None,
    nag: Annotated[bool, typer.Option(help="Run cdk-nag AwsSolutions checks (fail on findings).")] = True,
    example: Annotated[
        bool, typer.Option(help="Also synthesize examples/cdk_app to OUT/example-{env}.")
    ] = False,
) -> None:
    """Write the CloudFormation templates and Lambda assets of ``sfa-shared-{env}`` and ``sfa-llm-{env}``."""
    _quiet_jsii()
    from infra.app import synth as synth_platform

    context: dict[str, object] = {
        "env": env,
        "sfa:createTrail": trail,
        "sfa:snapStart": snap_start,
        "sfa:bundling": bundling,
        "sfa:nag": nag,
    }
    if wheelhouse is not None:
        context["sfa:wheelhouse"] = str(wheelhouse.resolve())
    started = time.monotonic()
    targets = [("platform", out / env, synth_platform)]
    if example:
        targets.append(("example", out / f"example-{env}", _synth_example))
    for label, outdir, fn in targets:
        assembly = fn(outdir, context)
        for stack in assembly.stacks:
            size = Path(stack.template_full_path).stat().st_size
            typer.echo(f"{label}: {stack.stack_name} -> {stack.template_full_path} ({size:,} bytes)")
    typer.echo(f"synthesized in {time.monotonic() - started:.1f} s; deploy: see docs/deploy.md")


def _synth_example(outdir: Path, context: dict[str, object]) -> object:
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    from examples.cdk_app.app import build_app

    app_ = build_app(str(outdir), context)
    if context.get("sfa:nag"):
        cdk.Validations.of(app_).add_plugins(AwsSolutionsChecks(app_))
    return app_.synth()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
