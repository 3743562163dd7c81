"""The agent-spec provider: the custom resource behind ``infra.constructs.Agent``.

A CDK ``custom_resources.Provider`` whose framework function is named ``sfa-agent-specs-{env}``
(the ServiceToken every ``Agent`` uses, by name) and whose onEvent handler is control-plane code
(``apply_agent``/``delete_agent``), so specs deployed with CDK go through the same validated,
transactional write path as any other. Both functions get explicit roles (no
``AWSLambdaBasicExecutionRole``): the handler may read and update ``AgentRegistry-{env}`` only.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.contracts import AGENT_SPEC_HANDLER, agent_spec_function_name
from infra.lambdas import lambda_principal, log_statement, platform_function
from infra.monitoring import function_alarms
from infra.nag import acknowledge, nag_resource
from infra.stacks import control_iam as cp_iam

if TYPE_CHECKING:
    from infra.stacks.shared import SharedInfraProps

__all__ = ["AgentSpecProvider"]


def _handler_exists(handler: str) -> bool:
    module = handler.rsplit(".", 1)[0]
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class AgentSpecProvider(Construct):
    """Attributes: ``handler`` (the onEvent function), ``role``, ``provider`` (``cr.Provider``),
    ``service_token`` (its framework function's ARN), ``alarms``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: SharedInfraProps,
        code: lambda_.Code,
        environment: dict[str, str],
        agent_registry: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        env = props.env
        name = agent_spec_function_name(env)
        parts = platform_function(
            self,
            "Handler",
            function_name=f"{name}-handler",
            description="Writes agent specs declared with the Agent construct (apply/delete_agent).",
            handler=AGENT_SPEC_HANDLER,
            code=code,
            environment={**environment, "POWERTOOLS_SERVICE_NAME": "sfa-agent-specs"},
            memory_size=512,
            timeout=cdk.Duration.minutes(1),
            log_retention=props.log_retention,
            removal_policy=props.removal_policy,
        )
        self.handler, self.role = parts.function, parts.role
        for statement in cp_iam.table_statements(
            "AgentRegistryWriteSpecs", agent_registry, [], cp_iam.AGENT_SPEC_TABLE_ACTIONS
        ):
            self.role.add_to_policy(statement)
        if not _handler_exists(AGENT_SPEC_HANDLER):
            cdk.Annotations.of(self.handler).add_warning_v2(
                "sfa:agent-spec-handler-missing",
                f"{AGENT_SPEC_HANDLER} does not exist yet: Agent constructs deployed against this "
                "stack will fail until the control plane ships it.",
            )

        framework_logs = logs.LogGroup(
            self,
            "FrameworkLogs",
            log_group_name=f"/aws/lambda/{name}",
            retention=props.log_retention,
            removal_policy=props.removal_policy,
        )
        framework_role = iam.Role(
            self,
            "FrameworkRole",
            assumed_by=lambda_principal(self),  # type: ignore[arg-type]
            description=f"Custom-resource framework {name}: invokes the agent-spec handler, logs.",
        )
        framework_role.add_to_policy(log_statement(framework_logs))
        self.provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=self.handler,  # type: ignore[arg-type]
            provider_function_name=name,
            framework_on_event_role=framework_role,  # type: ignore[arg-type]
            log_group=framework_logs,  # type: ignore[arg-type]
        )
        self.service_token = self.provider.service_token
        acknowledge(
            framework_role,
            "IAM5",
            "CDK's provider framework invokes the handler by ARN including its versions "
            "(<handler ARN>:*); the handler is this stack's own function.",
            findings=[nag_resource(self, f"{self.handler.function_arn}:*")],
        )
        self.alarms: list[cloudwatch.Alarm] = function_alarms(
            self, "HandlerAlarm", self.handler, props.alarm_topic
        )
