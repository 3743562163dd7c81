"""``sfa-llm-{env}``: the LLM gateway Lambda, its access to the LLM key secret, and the ``live``
alias agents invoke (so SnapStart and gradual rollout apply to every agent call).

SnapStart (``snap_start=True``): Lambda runs the gateway's init once per published version and
restores later cold starts from a snapshot. Provider SDK imports cost 0.3-1.1 s each; the gateway's
before-snapshot hook imports the SDKs of ``preload_providers`` (env ``SFA_LLM_PRELOAD_PROVIDERS``)
so they are in the snapshot. Trade-off (docs/deploy.md): each published version is billed for its
snapshot cache while active, and each restore is billed per GB restored; deploys take longer
(snapshot creation). Turn it off for rarely called dev environments.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.arns import GATEWAY_ALIAS
from infra.contracts import (
    GATEWAY_ENV,
    GATEWAY_HANDLER,
    GATEWAY_PRELOAD_ENV,
    METRICS_NAMESPACE,
    check_env,
    names,
)
from infra.lambdas import platform_function
from infra.monitoring import alias_alarms
from infra.nag import acknowledge, nag_resource
from infra.packaging.bundle import bundle_code
from infra.packaging.spec import GATEWAY_BUNDLE
from infra.policies import agent_execution_arns, tool_function_arns
from infra.stacks.content import content_bucket_name_token, content_objects_arn

__all__ = ["SharedLlmProps", "SharedLlmStack"]

KNOWN_PROVIDERS = ("anthropic", "bedrock", "gemini", "openai")
_MINUTES_15 = cdk.Duration.minutes(15)  # immutable: safe as a shared dataclass default


@dataclass(frozen=True)
class SharedLlmProps:
    """Settings of the LLM stack. Every field has a default except the secret."""

    llm_secret: secretsmanager.ISecret
    """The tier-1 secret ``/ai-agent/llm-secrets/{env}`` (``SharedInfraStack.llm_secret``)."""
    env: str = "dev"
    """Deployment environment; the function is ``sfa-llm-gateway-{env}``."""
    snap_start: bool = True
    """SnapStart on published versions (cold starts restore a snapshot with the SDKs imported)."""
    preload_providers: Sequence[str] = ("anthropic", "openai", "gemini")
    """Providers whose SDKs the before-snapshot hook imports (the ones your agents use)."""
    model_aliases: Mapping[str, str] = field(default_factory=dict)
    """Gateway model aliases (``SFA_LLM_ALIASES``), e.g. ``{"fast": "anthropic:claude-haiku-4-5"}``."""
    bedrock_model_arns: Sequence[str] = ()
    """Bedrock models/inference profiles the gateway may invoke (none: no Bedrock access)."""
    memory_size: int = 1024
    """MB; SDK imports and TLS are CPU-bound, and Lambda CPU scales with memory."""
    timeout: cdk.Duration = _MINUTES_15
    """Per invocation: covers provider timeouts, retries and fallbacks of one request, and — with
    ``content_bucket`` — the longest tool timeout, since the tool invoker waits for the tool
    (Lambda's 15-minute maximum, so any tool is covered; an LLM call is bounded by its own
    provider timeouts long before)."""
    content_bucket: bool = True
    """Use the shared stack's content bucket (large payloads by reference): ``SFA_CONTENT_BUCKET``,
    ``s3:GetObject``/``PutObject`` on its ``content/*``, and ``lambda:InvokeFunction`` on the tools
    agents may call (the tool invoker). Off: no offload (render agents with ``offload=False``)."""
    extra_tool_function_arns: Sequence[str] = ()
    """Tools deployed under other names than ``tool-*-{env}`` (``SharedInfraProps.
    extra_agent_function_arns``): the tool invoker may call their published versions
    (``SFA_EXTRA_TOOL_FUNCTION_ARNS``; granted as ``infra.policies.published_versions``)."""
    reserved_concurrency: int | None = None
    """Cap on concurrent gateway executions (protects provider rate limits); None: no cap."""
    tracing: bool = True
    """X-Ray active tracing."""
    retain_old_versions: bool = False
    """Keep superseded gateway versions after a deploy. Off: CloudFormation deletes them once the
    alias has moved (agents only ever invoke ``live``), so old SnapStart snapshots stop costing."""
    deployment_config: codedeploy.ILambdaDeploymentConfig | None = None
    """Gradual alias shift with CodeDeploy (e.g. ``LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES``),
    rolled back automatically on the gateway's error alarm; None: the alias moves at once."""
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH
    removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN
    """Of the log group."""
    alarm_topic: sns.ITopic | None = None


class SharedLlmStack(cdk.Stack):
    """Attributes: ``function``, ``alias`` (``live``), ``role``, ``log_group``, ``alarms``,
    ``deployment_group`` (CodeDeploy, or None)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, props: SharedLlmProps, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        env = check_env(props.env)
        unknown = sorted(set(props.preload_providers) - set(KNOWN_PROVIDERS))
        if unknown:
            raise ValueError(f"preload_providers: unknown {unknown}; known: {list(KNOWN_PROVIDERS)}")
        environment = {
            GATEWAY_ENV.ENV: env,
            GATEWAY_ENV.SECRET_NAME: names.llm_secret_name(env),
            GATEWAY_PRELOAD_ENV: ",".join(props.preload_providers),
            "POWERTOOLS_SERVICE_NAME": "sfa-llm-gateway",
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        if props.content_bucket:
            environment[GATEWAY_ENV.CONTENT_BUCKET] = content_bucket_name_token(env)
            if props.extra_tool_function_arns:
                environment[GATEWAY_ENV.EXTRA_TOOL_ARNS] = ",".join(props.extra_tool_function_arns)
        if props.model_aliases:
            environment[GATEWAY_ENV.ALIASES] = json.dumps(dict(props.model_aliases), sort_keys=True)
        parts = platform_function(
            self,
            "Gateway",
            function_name=names.gateway_function_name(env),
            description="LLM gateway: one request format for Anthropic, OpenAI, Gemini and Bedrock.",
            handler=GATEWAY_HANDLER,
            code=bundle_code(self, GATEWAY_BUNDLE),
            environment=environment,
            memory_size=props.memory_size,
            timeout=props.timeout,
            log_retention=props.log_retention,
            removal_policy=props.removal_policy,
            tracing=props.tracing,
            reserved_concurrency=props.reserved_concurrency,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if props.snap_start else None,
            current_version_options=lambda_.VersionOptions(
                removal_policy=cdk.RemovalPolicy.RETAIN
                if props.retain_old_versions
                else cdk.RemovalPolicy.DESTROY
            ),
        )
        self.function, self.role, self.log_group = parts.function, parts.role, parts.log_group
        self.role.add_to_policy(
            iam.PolicyStatement(
                # Powertools get_secret calls GetSecretValue only; the default aws/secretsmanager
                # key needs no kms grant.
                sid="ReadLlmKeys",
                actions=["secretsmanager:GetSecretValue"],
                resources=[props.llm_secret.secret_arn],
            )
        )
        machines, versions, executions = agent_execution_arns(self, env)
        self.role.add_to_policy(
            iam.PolicyStatement(
                # Platform ops trust the calling execution as Step Functions describes it
                # (llm_gateway.callers): which agent version a run is on, and that it is running.
                sid="DescribeAgentExecutions",
                actions=["states:DescribeExecution"],
                resources=[executions],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                # The tool invoker reads the tool set of the definition the caller runs: the version
                # (agents run on their live alias), or the machine for a run started unqualified.
                sid="DescribeAgentDefinitions",
                actions=["states:DescribeStateMachine"],
                resources=[machines, versions],
            )
        )
        acknowledge(
            self.role,
            "IAM5",
            "Agent state machines agent-*-{env}, their versions and executions: agents are created at "
            "run time by the control plane; the gateway only reads them (DescribeExecution, "
            "DescribeStateMachine) to authorize a tool call or continue a conversation.",
            findings=[nag_resource(self, arn) for arn in (machines, versions, executions)],
        )
        if props.content_bucket:
            self._content_grants(env, props.extra_tool_function_arns)
        if props.bedrock_model_arns:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="InvokeBedrockModels",
                    actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                    resources=list(props.bedrock_model_arns),
                )
            )
        self.alias = lambda_.Alias(
            self,
            "LiveAlias",
            alias_name=GATEWAY_ALIAS,
            version=self.function.current_version,
            description="What agents invoke: the newest published (SnapStart) version.",
        )
        self.alarms: list[cloudwatch.Alarm] = alias_alarms(
            self, "GatewayAlarm", names.gateway_function_name(env), GATEWAY_ALIAS, props.alarm_topic
        )
        self.deployment_group: codedeploy.LambdaDeploymentGroup | None = None
        if props.deployment_config is not None:
            self.deployment_group = codedeploy.LambdaDeploymentGroup(
                self,
                "Rollout",
                alias=self.alias,
                deployment_config=props.deployment_config,
                alarms=self.alarms,  # type: ignore[arg-type]
                auto_rollback=codedeploy.AutoRollbackConfig(failed_deployment=True, deployment_in_alarm=True),
            )
            acknowledge(
                self.deployment_group.role,
                "IAM4",
                "CodeDeploy's service role for Lambda: AWSCodeDeployRoleForLambdaLimited is AWS's "
                "purpose-built policy (shift alias weights, invoke hooks); CDK attaches it.",
                findings=[
                    "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited"
                ],
            )
        cdk.Tags.of(self).add("sfa:env", env)

    def _content_grants(self, env: str, extra_tool_function_arns: Sequence[str]) -> None:
        """The tool invoker and content references: read/write ``content/*``, invoke tools."""
        objects = content_objects_arn(self, env)
        tools = tool_function_arns(self, env, extra_tool_function_arns)
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadWriteContent", actions=["s3:GetObject", "s3:PutObject"], resources=[objects]
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(sid="InvokeTools", actions=["lambda:InvokeFunction"], resources=tools)
        )
        acknowledge(
            self.role,
            "IAM5",
            "content/* holds content-addressed payloads written at run time (the gateway validates "
            "every reference's key and digest); tool-*-{env}:1* ... :9* (every published version of "
            "the naming convention's functions, never $LATEST or an alias) caps which functions "
            "agents may call as tools, the same cap as the agent boundary.",
            findings=[nag_resource(self, arn) for arn in (objects, *tools) if "*" in arn],
        )
