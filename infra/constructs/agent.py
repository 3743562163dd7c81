"""``Agent``: declares an agent spec; the control plane creates and owns the state machine.

The construct validates the spec at synth time (``agent_templates``) and deploys it as a custom
resource served by the platform's agent-spec provider (``sfa-agent-specs-{env}``, in
``sfa-shared-{env}``), which writes it with the control plane's own spec API (``apply_agent``:
generation, selector index and directory in one transaction). The regenerator sees the change on
the registry stream, resolves the tools, renders definition and role, and publishes
``agent-{name}-{env}`` with its ``live`` alias. Removing the construct calls ``delete_agent``; the
regenerator then tears the agent down.

The provider is addressed by name, so any stack in the platform's account and region can declare
agents without cross-stack references — and the user's stack holds no IAM for it at all. The state
machine appears asynchronously (after the regenerator ran), so its ARNs are known by name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from agent_templates import AgentSpec, load_agent_spec, validate_agent_spec
from infra.arns import function_arn, state_machine_arn
from infra.contracts import AGENT_LIVE_ALIAS, agent_spec_function_name, check_env, names

__all__ = ["AGENT_RESOURCE_TYPE", "Agent"]

AGENT_RESOURCE_TYPE = "Custom::SfaAgent"


class Agent(Construct):
    """An agent spec deployed to ``AgentRegistry-{env}`` (see the module docstring).

    :param spec: a spec file (YAML/JSON) or the spec as a mapping; validated at synth time, every
        problem listed by field path.
    :param env: deployment environment (default ``"dev"``).
    :param removal_policy: DESTROY (default): removing the construct or its stack deletes the agent.
        RETAIN: the agent stays registered (and running) after removal.

    Attributes: ``spec`` (``AgentSpec``), ``agent_name``, ``env``, ``spec_sha256``,
    ``state_machine_name``, ``state_machine_arn``, ``live_alias_arn`` (what to start runs on),
    ``resource`` (the ``CustomResource``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: str | Path | Mapping[str, Any],
        env: str = "dev",
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.DESTROY,
    ) -> None:
        super().__init__(scope, construct_id)
        self.env = check_env(env)
        self.spec: AgentSpec = (
            validate_agent_spec(dict(spec)) if isinstance(spec, Mapping) else load_agent_spec(spec)
        )
        self.agent_name = self.spec.name
        self.spec_sha256 = self.spec.sha256()
        self.state_machine_name = names.agent_state_machine_name(self.agent_name, self.env)
        stack = cdk.Stack.of(self)
        self.state_machine_arn = state_machine_arn(stack, self.state_machine_name)
        self.live_alias_arn = state_machine_arn(stack, self.state_machine_name, AGENT_LIVE_ALIAS)
        self.resource = cdk.CustomResource(
            self,
            "Spec",
            service_token=function_arn(stack, agent_spec_function_name(self.env)),
            resource_type=AGENT_RESOURCE_TYPE,
            # CloudFormation turns scalar properties into strings: the spec travels as JSON text.
            properties={
                "SpecJson": json.dumps(self.spec.canonical_dict(), sort_keys=True, separators=(",", ":")),
                "SpecSha256": self.spec_sha256,
            },
            removal_policy=removal_policy,
        )

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to start runs of the agent (on ``live`` or the state machine)."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["states:StartExecution"],
            resource_arns=[self.live_alias_arn, self.state_machine_arn],
        )

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to read the agent's runs (status, output, history)."""
        executions = cdk.Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{self.state_machine_name}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["states:DescribeExecution", "states:GetExecutionHistory"],
            resource_arns=[executions],
        )

    def grant_task_response(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to approve or deny tool calls (SendTaskSuccess/Failure on task tokens)."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"],
            resource_arns=[self.state_machine_arn],
        )
