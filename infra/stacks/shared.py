"""``sfa-shared-{env}``: the registry, its bus, the control-plane Lambdas, secrets and alarms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.contracts import (
    REGISTRY_EVENT_SOURCE,
    agent_registry_table_spec,
    check_env,
    names,
    registry_bus_name,
    tool_registry_table_spec,
)
from infra.nag import acknowledge, nag_resource
from infra.policies import agent_boundary_policy, agent_execution_arns, agent_function_arns
from infra.stacks.content import ContentBucket
from infra.stacks.control_functions import ControlPlaneFunctions
from infra.stacks.trail import LambdaApiTrail
from infra.tables import table_from_spec

__all__ = ["SharedInfraProps", "SharedInfraStack"]

# Durations are immutable: module-level defaults are shared safely by every props instance.
_DAYS_90, _DAYS_30 = cdk.Duration.days(90), cdk.Duration.days(30)
_HOURS_1, _HOURS_6, _MINUTES_5 = cdk.Duration.hours(1), cdk.Duration.hours(6), cdk.Duration.minutes(5)


@dataclass(frozen=True)
class SharedInfraProps:
    """Settings of the shared stack. Every field has a default; ``env`` names the environment."""

    env: str = "dev"
    """Deployment environment (``^[a-z0-9]{1,31}$``: no ``-``); the suffix of every resource name,
    so names and IAM patterns (``agent-*-{env}``) never reach another environment's resources."""
    create_trail: bool = False
    """Create a single-region CloudTrail trail (write-only management events). Off: most accounts
    already have one (an organisation trail), and the registrar's events need just one."""
    trail_retention: cdk.Duration = _DAYS_90
    """How long trail log files are kept (when ``create_trail``)."""
    allowed_function_prefixes: Sequence[str] = ()
    """The registrar's scope (``SFA_REGISTRAR_ALLOWED_PREFIXES``): empty (default) registers this
    environment's tool functions only, ``tool-<id>-{env}``; else function-name prefixes (include the
    environment, e.g. ``("team-a-prod-",)``: a prefix is not scoped to it), or ``("*",)`` to register
    any function of the account (an explicit opt-in). ``lambda:PublishVersion`` is granted on the
    scope only; functions outside it are read and reported (``ToolRejected`` ``function_not_allowed``)."""
    release_grace_seconds: int = 120
    """How long a release in progress may take (code without a version bump, tags without code,
    torn tags) before the registrar decides; ≤ 900 (SQS delay). docs/registry.md, "Releases"."""
    reconcile_every: cdk.Duration = _HOURS_1
    """Schedule of the reconciler's sweep (it repairs events CloudTrail→EventBridge lost)."""
    regenerator_batch_size: int = 10
    """Stream records per regenerator invocation."""
    regenerator_retry_attempts: int = 5
    """Retries of a failing batch (halved by bisection each time) before it goes to the DLQ."""
    regenerator_max_record_age: cdk.Duration = _HOURS_6
    """Records older than this go to the DLQ instead of being retried (streams keep 24 h)."""
    regenerator_timeout: cdk.Duration = _MINUTES_5
    """Per batch; the regenerator's agent lease is set 60 s longer."""
    agent_render_options: Mapping[str, Any] = field(default_factory=dict)
    """Fields of ``agent_templates.RenderOptions`` for every agent (``SFA_AGENT_RENDER_OPTIONS``:
    tool concurrency, retries, limits); empty: the renderer's defaults. Part of each definition's
    hash, so changing it re-renders agents on their next change."""
    regenerate_on_agent_changes: bool = True
    """Also feed the AgentRegistry stream to the regenerator (a new or changed agent spec is
    rendered at once). The regenerator must ignore records where only derived state changed."""
    extra_agent_function_arns: Sequence[str] = ()
    """Functions agents may invoke besides ``tool-*-{env}`` and the gateway (the boundary's cap):
    tools deployed under other names must be listed here to be callable. Tools are invoked by
    published version only, so list versions (``…:function:team-a-*:1*`` … ``:9*``) rather than
    unqualified names or ``:*`` (which would also cover ``$LATEST`` and aliases)."""
    content_expiration_days: int = 30
    """Lifecycle rule of the content bucket (large payloads by reference, docs/large-payloads.md):
    offloaded payloads expire this many days after they were written. Keep it above the longest
    agent run plus the time callers take to resolve references in an agent's output."""
    deletion_protection: bool = True
    """DynamoDB deletion protection on both registry tables."""
    removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN
    """Of tables, secrets, log groups, the content bucket and trail buckets when removed."""
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH
    """Retention of every log group the stack creates."""
    event_archive_retention: cdk.Duration | None = _DAYS_30
    """Archive of the registry bus's events for replay; None: no archive."""
    alarm_topic: sns.ITopic | None = None
    """Where alarms notify (none by default: alarms still show in CloudWatch)."""
    function_memory_mb: dict[str, int] = field(
        default_factory=lambda: {"registrar": 512, "reconciler": 512, "regenerator": 1024}
    )
    """Memory per control-plane function (more memory is more CPU: validation and rendering)."""


class SharedInfraStack(cdk.Stack):
    """Registry tables, the ``sfa-registry-{env}`` bus, the agent permissions boundary, the three
    secret tiers' shared secrets, the registrar/regenerator/reconciler and their DLQs and alarms.

    Attributes: ``tool_registry``, ``agent_registry``, ``bus``, ``agent_boundary``, ``llm_secret``,
    ``infrastructure_secret``, ``functions`` (:class:`ControlPlaneFunctions`: ``registrar``,
    ``regenerator``, ``reconciler``, ``agent_specs``, ``roles``, ``dlqs``, ``alarms``), ``content``
    (:class:`ContentBucket`), ``trail`` (a :class:`LambdaApiTrail` or None).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, props: SharedInfraProps, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.props = props
        env = check_env(props.env)
        self.tool_registry: dynamodb.TableV2 = table_from_spec(
            self,
            "ToolRegistry",
            tool_registry_table_spec(env),
            deletion_protection=props.deletion_protection,
            removal_policy=props.removal_policy,
        )
        self.agent_registry: dynamodb.TableV2 = table_from_spec(
            self,
            "AgentRegistry",
            agent_registry_table_spec(env),
            deletion_protection=props.deletion_protection,
            removal_policy=props.removal_policy,
        )
        self.bus = events.EventBus(self, "RegistryBus", event_bus_name=registry_bus_name(env))
        if props.event_archive_retention is not None:
            self.bus.archive(
                "Archive",
                archive_name=f"sfa-registry-{env}",
                description="Registry change events, for replay.",
                event_pattern=events.EventPattern(source=[REGISTRY_EVENT_SOURCE]),
                retention=props.event_archive_retention,
            )
        self.agent_boundary: iam.ManagedPolicy = agent_boundary_policy(
            self,
            "AgentBoundary",
            env=env,
            bus_arn=self.bus.event_bus_arn,
            extra_function_arns=props.extra_agent_function_arns,
        )
        acknowledge(
            self.agent_boundary,
            "IAM5",
            "A permissions boundary is a cap, not a grant. tool-*-{env}:1* ... :9* (every published "
            "version of the naming convention's functions, never $LATEST or an alias) scopes which "
            "tools agents may ever invoke; the gateway's own versions/aliases (:*) are platform code, "
            "not tools; agent-*-{env} scopes the child executions an agent may start to agents of its "
            "environment; log delivery has no resource-level permissions.",
            findings=[
                "Resource::*",
                *(
                    nag_resource(self, arn)
                    for arn in agent_function_arns(self, env, props.extra_agent_function_arns)
                    if "*" in arn  # extra functions too: by version, so patterns (published_versions)
                ),
                *(nag_resource(self, arn) for arn in agent_execution_arns(self, env)),
            ],
        )
        self.llm_secret = self._secret(
            "LlmSecret", names.llm_secret_name(env), "Tier 1: LLM provider API keys (JSON object)."
        )
        self.infrastructure_secret = self._secret(
            "InfrastructureSecret",
            names.infrastructure_secret_name(env),
            "Tier 3: platform infrastructure credentials (JSON object).",
        )
        self.content = ContentBucket(
            self,
            "Content",
            env=env,
            expiration_days=props.content_expiration_days,
            removal_policy=props.removal_policy,
        )
        self.trail = (
            LambdaApiTrail(
                self,
                "LambdaApiTrail",
                env=env,
                retention=props.trail_retention,
                removal_policy=props.removal_policy,
            )
            if props.create_trail
            else None
        )
        self.functions = ControlPlaneFunctions(
            self,
            "ControlPlane",
            props=props,
            tool_registry=self.tool_registry,
            agent_registry=self.agent_registry,
            bus=self.bus,
            boundary=self.agent_boundary,
        )
        cdk.Tags.of(self).add("sfa:env", env)

    def _secret(self, construct_id: str, name: str, description: str) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            construct_id,
            secret_name=name,
            description=f"{description} Fill with `aws secretsmanager put-secret-value`.",
            # Not a secret: an empty JSON object the operator replaces after deploy. CloudFormation
            # rewrites the value only if this template value changes, so the real one survives updates.
            secret_string_value=cdk.SecretValue.unsafe_plain_text("{}"),
            removal_policy=self.props.removal_policy,
        )
        acknowledge(
            secret,
            "SMG4",
            "Holds third-party API keys (or operator credentials) that only their issuer can rotate; "
            "rotation is an operator runbook (put-secret-value), not a rotation Lambda.",
        )
        return secret
