"""The control-plane Lambdas and their triggers: registrar (CloudTrail rule), reconciler (schedule),
regenerator (registry streams). Each has a dead-letter queue and alarms; each role holds exactly
the calls its handler makes (:mod:`infra.stacks.control_iam`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.arns import gateway_alias_arn
from infra.contracts import (
    CONTROL_PLANE_ENV,
    METRICS_NAMESPACE,
    RECONCILER_HANDLER,
    REGENERATOR_HANDLER,
    REGISTRAR_HANDLER,
    agent_registry_table_spec,
    names,
    registrar_event_pattern,
    tool_registry_table_spec,
)
from infra.destinations import SendOnlyQueueDestination, SendOnlyStreamDlq
from infra.lambdas import platform_function
from infra.monitoring import dead_letter_queue, function_alarms, iterator_age_alarm, queue_alarm, work_queue
from infra.nag import acknowledge, nag_resource
from infra.packaging.bundle import bundle_code
from infra.packaging.spec import CONTROL_PLANE_BUNDLE
from infra.policies import regenerator_agent_statements
from infra.stacks import control_iam as cp_iam
from infra.stacks.agent_specs import AgentSpecProvider
from infra.stacks.content import content_bucket_name_token
from infra.tables import index_names

if TYPE_CHECKING:
    from infra.stacks.shared import SharedInfraProps

__all__ = ["ControlPlaneFunctions"]


class ControlPlaneFunctions(Construct):
    """Attributes: ``registrar``, ``reconciler``, ``regenerator`` (``lambda_.Function``),
    ``agent_specs`` (:class:`AgentSpecProvider`), ``roles``, ``dlqs`` and ``alarms`` (dicts by
    function key), ``registrar_rule``, ``reconcile_rule``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: SharedInfraProps,
        tool_registry: dynamodb.TableV2,
        agent_registry: dynamodb.TableV2,
        bus: events.EventBus,
        boundary: iam.ManagedPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        env = props.env
        self.props = props
        self.dlqs: dict[str, sqs.Queue] = {}
        self.alarms: dict[str, list[cloudwatch.Alarm]] = {}
        self.roles: dict[str, iam.Role] = {}
        self._code = bundle_code(self, CONTROL_PLANE_BUNDLE)
        common_env = {
            CONTROL_PLANE_ENV.ENV: env,
            CONTROL_PLANE_ENV.TOOL_TABLE: tool_registry.table_name,
            CONTROL_PLANE_ENV.AGENT_TABLE: agent_registry.table_name,
            CONTROL_PLANE_ENV.BUS_NAME: bus.event_bus_name,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        sync_env = {
            **common_env,
            CONTROL_PLANE_ENV.ALLOWED_PREFIXES: ",".join(props.allowed_function_prefixes),
        }
        tool_indexes = index_names(tool_registry_table_spec(env))
        agent_indexes = index_names(agent_registry_table_spec(env))
        # Reads: any function (to report out-of-scope claims); publishing: the registrar's scope only.
        read_functions = cp_iam.read_functions_statement(stack)
        publish_versions = cp_iam.publish_versions_statement(stack, env, props.allowed_function_prefixes)
        publish = cp_iam.publish_statement(bus.event_bus_arn)
        # Held releases are looked at again after the grace window: a delayed message on this queue,
        # which feeds the registrar (control_plane.registrar.recheck).
        self.recheck_queue, recheck_dlq = work_queue(
            self, "RegistrarRecheck", f"{names.registrar_function_name(env)}-recheck",
            visibility_timeout=cdk.Duration.seconds(360),  # 6x the registrar's timeout
            retention_period=cdk.Duration.days(1),
        )  # fmt: skip
        sync_env[CONTROL_PLANE_ENV.RECHECK_QUEUE_URL] = self.recheck_queue.queue_url
        sync_env[CONTROL_PLANE_ENV.RELEASE_GRACE_SECONDS] = str(props.release_grace_seconds)
        send_recheck = iam.PolicyStatement(
            sid="ScheduleRechecks", actions=["sqs:SendMessage"], resources=[self.recheck_queue.queue_arn]
        )
        sync_statements = [
            read_functions,
            publish_versions,
            send_recheck,
            *cp_iam.table_statements(
                "ToolRegistryReadWrite", tool_registry, tool_indexes, cp_iam.REGISTRAR_TABLE_ACTIONS
            ),
            publish,
        ]

        # -- registrar: CloudTrail "AWS API Call" events of Lambda, on the default bus ------------
        self.registrar = self._function(
            "registrar", names.registrar_function_name(env), REGISTRAR_HANDLER, sync_env,
            "Registers tagged Lambda functions as tools (CloudTrail Lambda API calls).",
            cdk.Duration.seconds(60), sync_statements,
        )  # fmt: skip
        self.registrar.add_event_source(
            sources.SqsEventSource(self.recheck_queue, batch_size=10, report_batch_item_failures=True)
        )
        self.alarms["registrar"].append(
            queue_alarm(self, "RegistrarRecheckDlqAlarm", recheck_dlq, props.alarm_topic)
        )
        pattern = registrar_event_pattern()
        self.registrar_rule = events.Rule(
            self,
            "RegistrarRule",
            rule_name=f"{names.registrar_function_name(env)}-lambda-api-calls",
            description="Lambda API calls that may change a tool (CloudTrail), for the registrar.",
            event_pattern=events.EventPattern(
                source=pattern["source"], detail_type=pattern["detail-type"], detail=pattern["detail"]
            ),
            targets=[
                targets.LambdaFunction(
                    self.registrar,  # type: ignore[arg-type]
                    dead_letter_queue=self.dlqs["registrar"],  # type: ignore[arg-type]
                    retry_attempts=16,
                    max_event_age=cdk.Duration.hours(6),
                )
            ],
        )

        # -- reconciler: scheduled sweep of tagged functions -------------------------------------
        self.reconciler = self._function(
            "reconciler", names.reconciler_function_name(env), RECONCILER_HANDLER, sync_env,
            "Scheduled sweep: repairs registry drift (lost events, deleted functions).",
            cdk.Duration.minutes(15), [*sync_statements, cp_iam.tagging_statement()],
            star_reasons=[cp_iam.TAGGING_REASON],
            retry_attempts=0,  # the next scheduled pass is the retry; a failed pass goes to the DLQ
        )  # fmt: skip
        function_resources = [*read_functions.resources, *publish_versions.resources]
        for key in ("registrar", "reconciler"):
            acknowledge(
                self.roles[key],
                "IAM5",
                cp_iam.ANY_FUNCTION_REASON,
                findings=sorted({nag_resource(self, r) for r in function_resources}),
            )
        self.reconcile_rule = events.Rule(
            self,
            "ReconcileSchedule",
            rule_name=f"{names.reconciler_function_name(env)}-schedule",
            description="Runs the reconciler.",
            schedule=events.Schedule.rate(props.reconcile_every),
            targets=[
                targets.LambdaFunction(
                    self.reconciler,  # type: ignore[arg-type]
                    dead_letter_queue=self.dlqs["reconciler"],  # type: ignore[arg-type]
                    retry_attempts=2,
                )
            ],
        )

        # -- regenerator: registry streams → agent state machines --------------------------------
        regen_env = {
            **common_env,
            # agents invoke the gateway's `live` alias: SnapStart applies to published versions only
            CONTROL_PLANE_ENV.GATEWAY_FUNCTION_ARN: gateway_alias_arn(stack, env),
            CONTROL_PLANE_ENV.AGENT_BOUNDARY_ARN: boundary.managed_policy_arn,
            CONTROL_PLANE_ENV.LEASE_SECONDS: str(int(props.regenerator_timeout.to_seconds()) + 60),
            CONTROL_PLANE_ENV.CONTENT_BUCKET: content_bucket_name_token(env),  # offload on by default
        }
        if props.agent_render_options:
            regen_env[CONTROL_PLANE_ENV.RENDER_OPTIONS] = json.dumps(
                dict(props.agent_render_options), sort_keys=True, separators=(",", ":")
            )
        agent_statements = regenerator_agent_statements(
            stack, env=env, boundary_arn=boundary.managed_policy_arn
        )
        self.regenerator = self._function(
            "regenerator", names.regenerator_function_name(env), REGENERATOR_HANDLER, regen_env,
            "Re-renders agents (ASL + IAM) when the registries change; moves their live alias.",
            props.regenerator_timeout,
            [
                *cp_iam.table_statements(
                    "ToolRegistryRead", tool_registry, tool_indexes, cp_iam.REGISTRY_READ_ACTIONS
                ),
                *cp_iam.table_statements(
                    "AgentRegistryReadWrite", agent_registry, agent_indexes,
                    cp_iam.REGENERATOR_AGENT_TABLE_ACTIONS,
                ),
                *agent_statements,
                publish,
            ],
            async_dlq=False,
        )  # fmt: skip
        acknowledge(
            self.roles["regenerator"],
            "IAM5",
            cp_iam.AGENT_RESOURCES_REASON,
            findings=sorted({nag_resource(self, r) for s in agent_statements for r in s.resources}),
        )
        stream_dlq = SendOnlyStreamDlq(self.dlqs["regenerator"])
        streams = [tool_registry] + ([agent_registry] if props.regenerate_on_agent_changes else [])
        for table in streams:
            self.regenerator.add_event_source(
                sources.DynamoEventSource(
                    table,
                    starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                    batch_size=props.regenerator_batch_size,
                    bisect_batch_on_error=True,
                    report_batch_item_failures=True,
                    retry_attempts=props.regenerator_retry_attempts,
                    max_record_age=props.regenerator_max_record_age,
                    parallelization_factor=1,  # per-item order matters (a tool's versions)
                    on_failure=stream_dlq,
                )
            )
        lag = "The regenerator lags behind the registry streams by over 5 minutes."
        lag_alarm = iterator_age_alarm(self, "RegeneratorIteratorAge", self.regenerator, lag)
        self.alarms["regenerator"].append(lag_alarm)

        # -- agent specs: the custom-resource provider behind the Agent construct ----------------
        self.agent_specs = AgentSpecProvider(
            self,
            "AgentSpecs",
            props=props,
            code=self._code,
            environment=common_env,
            agent_registry=agent_registry,
        )
        self.roles["agent_specs"] = self.agent_specs.role
        self.alarms["agent_specs"] = self.agent_specs.alarms

    def _function(
        self,
        key: str,
        function_name: str,
        handler: str,
        environment: dict[str, str],
        description: str,
        timeout: cdk.Duration,
        statements: list[iam.PolicyStatement],
        *,
        star_reasons: list[str] | None = None,
        retry_attempts: int = 2,
        async_dlq: bool = True,
    ) -> lambda_.Function:
        """One control-plane function, its DLQ (async on-failure destination or stream DLQ), alarms."""
        props = self.props
        dlq = dead_letter_queue(self, f"{key.title()}Dlq", f"{function_name}-dlq")
        self.dlqs[key] = dlq
        options: dict[str, object] = {}
        if async_dlq:
            options = {
                "on_failure": SendOnlyQueueDestination(dlq),
                "retry_attempts": retry_attempts,
                "max_event_age": cdk.Duration.hours(6),
            }
        parts = platform_function(
            self,
            key.title(),
            function_name=function_name,
            description=description,
            handler=handler,
            code=self._code,
            environment={**environment, "POWERTOOLS_SERVICE_NAME": f"sfa-{key}"},
            memory_size=props.function_memory_mb.get(key, 512),
            timeout=timeout,
            log_retention=props.log_retention,
            removal_policy=props.removal_policy,
            star_reasons=star_reasons or (),
            **options,
        )
        for statement in statements:
            parts.role.add_to_policy(statement)
        self.roles[key] = parts.role
        self.alarms[key] = [
            *function_alarms(self, f"{key.title()}Alarm", parts.function, props.alarm_topic),
            queue_alarm(self, f"{key.title()}DlqAlarm", dlq, props.alarm_topic),
        ]
        return parts.function
