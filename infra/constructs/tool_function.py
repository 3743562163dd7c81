"""``ToolFunction``: a Lambda function that is a tool — its manifest validated at synth time and
applied as the ``agent-tool:*`` tags the registrar reads (docs/design.md §3).

Deploying it is all it takes to publish the tool: CloudFormation's CreateFunction/TagResource
calls reach the registrar through CloudTrail and EventBridge.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.arns import secret_arn
from infra.contracts import check_env, names
from infra.lambdas import XRAY_REASON, lambda_principal, log_statement
from infra.nag import acknowledge, nag_resource
from tool_sdk import ToolManifest, encode_manifest_tags, load_manifest

__all__ = ["DEFAULT_TOOL_TIMEOUT", "ToolFunction"]

DEFAULT_TOOL_TIMEOUT = cdk.Duration.seconds(30)
_MAX_FUNCTION_NAME = 64


class ToolFunction(Construct):
    """A tool Lambda named ``tool-{tool_id}-{env}``, tagged with its manifest.

    :param manifest: path of the manifest (YAML or JSON). Loaded and validated at synth time
        (``tool_sdk.load_manifest``, portability checks included): an invalid manifest fails the
        synth with every problem listed, instead of a ``ToolRejected`` event after deploy.
    :param code: the function's code (``lambda_.Code.from_asset(...)`` or any ``Code``).
    :param handler: the handler (``"handler.handler"``, ``"index.handler"``).
    :param runtime: the Lambda runtime (any language: the manifest is only tags).
    :param env: deployment environment (default ``"dev"``): ``tool-{tool_id}-{env}`` is what agent
        roles' permissions boundary allows agents to invoke.
    :param tool_id: the middle of the function name (default: the manifest's ``name``).
    :param memory_size: MB (default 256).
    :param timeout: default the manifest's ``timeout_seconds``, else 30 s.
    :param architecture: default ARM_64 (Graviton: cheaper per ms).
    :param environment: environment variables (default none).
    :param tracing: X-Ray active tracing (default True).
    :param log_retention: of the function's log group (default one month).
    :param removal_policy: of the log group (default RETAIN, CDK's default for logs).
    :param function_options: any other ``lambda_.FunctionProps`` (``layers``, ``vpc`` …).

    Attributes: ``env``, ``function``, ``role``, ``log_group``, ``manifest`` (``ToolManifest``),
    ``tool_name``, ``tool_version``, ``function_name``, ``function_arn``, ``manifest_tags``,
    ``secret`` (the tier-2 secret ``/ai-agent/tools/{name}/{env}``, when the manifest lists secrets).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        manifest: str | Path,
        code: lambda_.Code,
        handler: str,
        runtime: lambda_.Runtime,
        env: str = "dev",
        tool_id: str | None = None,
        memory_size: int = 256,
        timeout: cdk.Duration | None = None,
        architecture: lambda_.Architecture = lambda_.Architecture.ARM_64,
        environment: Mapping[str, str] | None = None,
        tracing: bool = True,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        **function_options: Any,
    ) -> None:
        super().__init__(scope, construct_id)
        self.env = check_env(env)
        self.manifest: ToolManifest = load_manifest(manifest)
        self.manifest_tags: dict[str, str] = encode_manifest_tags(self.manifest)
        self.tool_name = self.manifest.name
        self.tool_version = self.manifest.version
        self.function_name = names.tool_function_name(tool_id or self.manifest.name, self.env)
        if len(self.function_name) > _MAX_FUNCTION_NAME:
            raise ValueError(
                f"function name {self.function_name!r} is longer than {_MAX_FUNCTION_NAME} characters: "
                "pass a shorter tool_id"
            )
        if timeout is None:
            seconds = self.manifest.timeout_seconds
            timeout = cdk.Duration.seconds(seconds) if seconds else DEFAULT_TOOL_TIMEOUT
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/lambda/{self.function_name}",
            retention=log_retention,
            removal_policy=removal_policy,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=lambda_principal(self),  # type: ignore[arg-type]
            description=f"Execution role of the tool {self.tool_name} ({self.function_name}).",
        )
        self.role.add_to_policy(log_statement(self.log_group))
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=self.function_name,
            description=(self.manifest.description or "")[:256] or None,
            code=code,
            handler=handler,
            runtime=runtime,
            architecture=architecture,
            memory_size=memory_size,
            timeout=timeout,
            environment=dict(environment or {}),
            role=self.role,  # type: ignore[arg-type]
            log_group=self.log_group,  # type: ignore[arg-type]
            tracing=lambda_.Tracing.ACTIVE if tracing else lambda_.Tracing.DISABLED,
            **function_options,
        )
        self.function_arn = self.function.function_arn
        for key, value in sorted(self.manifest_tags.items()):
            # Only on the function: the registrar reads the function's tags, nothing else's.
            cdk.Tags.of(self.function).add(key, value, include_resource_types=["AWS::Lambda::Function"])
        if tracing:
            acknowledge(self.role, "IAM5", XRAY_REASON, findings=["Resource::*"])
        self.secret: secretsmanager.ISecret | None = None
        if self.manifest.secrets:
            secret_name = names.tool_secret_name(self.manifest.name, self.env)
            self.secret = secretsmanager.Secret.from_secret_name_v2(self, "Secret", secret_name)
            self.grant_secret_read(self.function)
            acknowledge(
                self.role,
                "IAM5",
                "Secrets Manager appends 6 random characters to a secret's ARN; '-??????' matches "
                "exactly those for the tool's own tier-2 secret, created outside this stack.",
                findings=[nag_resource(self, self._secret_arn())],
            )

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to invoke the tool (all versions and aliases)."""
        return self.function.grant_invoke(grantee)

    def grant_secret_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to read the tool's tier-2 secret ``/ai-agent/tools/{name}/{env}``.

        The secret is found by name (its ARN ends in 6 random characters, hence ``-??????``); it is
        created by the tool's owner, who puts the values the manifest's ``secrets`` names.
        """
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=["secretsmanager:GetSecretValue"], resource_arns=[self._secret_arn()]
        )

    def _secret_arn(self) -> str:
        return secret_arn(cdk.Stack.of(self), names.tool_secret_name(self.manifest.name, self.env))
