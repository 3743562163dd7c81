"""The platform's CDK app: ``sfa-shared-{env}`` and ``sfa-llm-{env}``.

``python -m infra.app`` is the app command for the CDK CLI (``cdk synth --app "python -m infra.app"
-c env=prod``); ``sfa synth`` (:mod:`infra.cli`) calls :func:`synth` directly. Context keys:
``env`` (default ``dev``), ``sfa:createTrail`` (``true``/``false``), ``sfa:snapStart``
(``true``/``false``), ``sfa:bundling`` (``pip``/``skip``), ``sfa:nag`` (``true``: run cdk-nag's
AwsSolutions checks, failing the synth on an unacknowledged finding).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.contracts import check_env
from infra.stacks.llm import SharedLlmProps, SharedLlmStack
from infra.stacks.shared import SharedInfraProps, SharedInfraStack

__all__ = ["Platform", "add_platform", "build_app", "main", "synth"]


@dataclass(frozen=True)
class Platform:
    """The two stacks of one environment."""

    shared: SharedInfraStack
    llm: SharedLlmStack


def _aws_environment() -> cdk.Environment | None:
    """The CLI's account/region when it provides them; else environment-agnostic stacks."""
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    return cdk.Environment(account=account, region=region) if account and region else None


def add_platform(
    app: cdk.App,
    shared_props: SharedInfraProps,
    *,
    snap_start: bool = True,
    llm_props: dict[str, object] | None = None,
) -> Platform:
    """Add ``sfa-shared-{env}`` and ``sfa-llm-{env}`` to ``app``; ``llm_props`` are further
    :class:`SharedLlmProps` fields."""
    env = check_env(shared_props.env)
    aws_env = _aws_environment()
    shared = SharedInfraStack(
        app,
        f"sfa-shared-{env}",
        props=shared_props,
        env=aws_env,
        description=f"sfn-agents {env}: tool/agent registries, registry bus, control plane.",
    )
    llm = SharedLlmStack(
        app,
        f"sfa-llm-{env}",
        props=SharedLlmProps(
            llm_secret=shared.llm_secret,
            env=env,
            snap_start=snap_start,
            extra_tool_function_arns=tuple(shared_props.extra_agent_function_arns),
            **(llm_props or {}),
        ),  # type: ignore[arg-type]
        env=aws_env,
        description=f"sfn-agents {env}: LLM gateway.",
    )
    llm.add_dependency(shared)  # the content bucket (referenced by name, not by export)
    return Platform(shared=shared, llm=llm)


def _flag(app: cdk.App, key: str, default: bool) -> bool:
    value = app.node.try_get_context(key)
    if value is None:
        return default
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")


def build_app(outdir: str | Path | None = None, context: dict[str, object] | None = None) -> cdk.App:
    """The platform app for context ``env``; with ``sfa:nag`` the AwsSolutions checks run at synth."""
    app = cdk.App(outdir=str(outdir) if outdir else None, context=context or None)
    env = str(app.node.try_get_context("env") or "dev")
    add_platform(
        app,
        SharedInfraProps(env=env, create_trail=_flag(app, "sfa:createTrail", False)),
        snap_start=_flag(app, "sfa:snapStart", True),
    )
    if _flag(app, "sfa:nag", True):
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def synth(outdir: str | Path, context: dict[str, object] | None = None) -> cdk.cx_api.CloudAssembly:
    """Synthesize the platform into ``outdir`` (offline; bundling per ``sfa:bundling``)."""
    return build_app(outdir, context).synth()


def main() -> None:
    build_app().synth()


if __name__ == "__main__":
    main()
