"""The regenerator's configuration (environment variables; defaults follow docs/design.md §8 names).

=================================  ==========================================================
variable                           default
=================================  ==========================================================
``SFA_ENV`` and the table/bus      as ``control_plane.config.ControlPlaneConfig``
variables
``SFA_GATEWAY_FUNCTION_ARN``       ``arn:aws:lambda:{region}:{account}:function:sfa-llm-gateway-{env}``
``SFA_AGENT_BOUNDARY_POLICY_ARN``  ``arn:aws:iam::{account}:policy/sfa-agent-boundary-{env}``
``SFA_AGENT_RENDER_OPTIONS``       ``{}``: JSON fields of ``agent_templates.RenderOptions``
                                   (retries, concurrency, …; ``env`` and the bus come from here)
``SFA_CONTENT_BUCKET``             unset; set (the platform's content bucket): agents render with
                                   ``offload`` on unless the render options say otherwise
``SFA_REGENERATOR_LEASE_SECONDS``  ``300`` (keep above the Lambda timeout)
``SFA_AGENT_VERSIONS_KEPT``        ``20``: state-machine versions kept per agent after a rollout
                                   (1 to 999; ``live`` and the version before it are always kept;
                                   Step Functions allows 1,000 per state machine)
``AWS_REGION``                     Lambda sets it; else the boto3 session's region
=================================  ==========================================================

The account comes from the caller (the Lambda context's function ARN), ``SFA_ACCOUNT_ID``, or STS.
Every regenerator of an environment must use the same render options: they are part of the
definition hash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agent_templates import RenderOptions
from control_plane.aws import call, client_or_default
from control_plane.config import ControlPlaneConfig
from control_plane.deployment import (
    agent_boundary_policy_name,
    gateway_function_name,
    regenerator_function_name,
)
from control_plane.errors import AwsResourceNotFoundError, ConfigError

__all__ = ["DEFAULT_VERSIONS_KEPT", "MAX_VERSIONS_KEPT", "RegeneratorConfig", "deployed_settings"]

DEFAULT_VERSIONS_KEPT = 20
MAX_VERSIONS_KEPT = 999


@dataclass(frozen=True)
class RegeneratorConfig:
    """Names, account and render options the regenerator works with."""

    base: ControlPlaneConfig
    region: str
    account_id: str
    gateway_arn: str
    boundary_arn: str
    render_options: RenderOptions
    lease_seconds: int = 300
    partition: str = "aws"
    versions_kept: int = DEFAULT_VERSIONS_KEPT

    def __post_init__(self) -> None:
        # 999 at most: a rollout publishes before it prunes, and 1,000 is Step Functions' limit
        if not 1 <= self.versions_kept <= MAX_VERSIONS_KEPT:
            raise ConfigError(
                f"SFA_AGENT_VERSIONS_KEPT must be between 1 and {MAX_VERSIONS_KEPT}, not {self.versions_kept}"
            )

    @property
    def env(self) -> str:
        return self.base.env

    @classmethod
    def build(
        cls,
        base: ControlPlaneConfig,
        *,
        region: str,
        account_id: str,
        gateway_arn: str | None = None,
        boundary_arn: str | None = None,
        render_options: Mapping[str, Any] | RenderOptions | None = None,
        lease_seconds: int = 300,
        versions_kept: int = DEFAULT_VERSIONS_KEPT,
    ) -> RegeneratorConfig:
        env = base.env
        if isinstance(render_options, RenderOptions):
            options = render_options.model_copy(update={"env": env, "event_bus_name": base.bus_name})
        else:
            fields = {**(render_options or {}), "env": env, "event_bus_name": base.bus_name}
            try:
                options = RenderOptions.model_validate(fields)
            except ValueError as exc:
                raise ConfigError(f"invalid SFA_AGENT_RENDER_OPTIONS: {exc}") from None
        return cls(
            base=base,
            region=region,
            account_id=account_id,
            gateway_arn=gateway_arn
            or f"arn:aws:lambda:{region}:{account_id}:function:{gateway_function_name(env)}",
            boundary_arn=boundary_arn
            or f"arn:aws:iam::{account_id}:policy/{agent_boundary_policy_name(env)}",
            render_options=options,
            lease_seconds=lease_seconds,
            versions_kept=versions_kept,
        )

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        account_id: str | None = None,
        sts_client: Any | None = None,
    ) -> RegeneratorConfig:
        e = os.environ if environ is None else environ
        region = e.get("AWS_REGION") or e.get("AWS_DEFAULT_REGION")
        if not region:
            import boto3

            region = boto3.session.Session().region_name  # the CLI: a profile's region
        if not region:
            raise ConfigError("no AWS region: set AWS_REGION")
        account = account_id or e.get("SFA_ACCOUNT_ID", "").strip()
        if not account:
            sts = client_or_default("sts", sts_client)
            account = call(sts.get_caller_identity)["Account"]
        try:
            options = json.loads(e.get("SFA_AGENT_RENDER_OPTIONS") or "{}")
            if e.get("SFA_CONTENT_BUCKET", "").strip() and isinstance(options, dict):
                # the platform has a content bucket (and the gateway its grants): offload by default
                options = {"offload": True, **options}
            lease = int(e.get("SFA_REGENERATOR_LEASE_SECONDS") or 300)
            kept = int(e.get("SFA_AGENT_VERSIONS_KEPT") or DEFAULT_VERSIONS_KEPT)
        except ValueError as exc:
            raise ConfigError(f"invalid regenerator setting: {exc}") from None
        return cls.build(
            ControlPlaneConfig.from_env(e),
            region=region,
            account_id=account,
            gateway_arn=e.get("SFA_GATEWAY_FUNCTION_ARN", "").strip() or None,
            boundary_arn=e.get("SFA_AGENT_BOUNDARY_POLICY_ARN", "").strip() or None,
            render_options=options,
            lease_seconds=lease,
            versions_kept=kept,
        )


def deployed_settings(env: str, lambda_client: Any | None = None) -> dict[str, str]:
    """The ``SFA_*`` settings of the deployed regenerator function of ``env`` (empty if none).

    A regeneration run elsewhere (``sfa agent apply --sync``) must render exactly what the deployed
    regenerator renders — same gateway ARN, render options, boundary — or the two would keep
    replacing each other's versions.
    """
    client = client_or_default("lambda", lambda_client)
    try:
        response = call(client.get_function_configuration, FunctionName=regenerator_function_name(env))
    except AwsResourceNotFoundError:
        return {}
    variables = (response.get("Environment") or {}).get("Variables") or {}
    return {k: v for k, v in variables.items() if k.startswith("SFA_")}
