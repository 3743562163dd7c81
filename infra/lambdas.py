"""The platform's Lambda functions: one shape for all of them (arm64, explicit role and log group).

Every function gets its own role whose only built-in statement writes to the function's own log
group (no ``AWSLambdaBasicExecutionRole``, which allows writing to every log group); callers add
exactly what the handler calls. X-Ray tracing (Powertools ``Tracer``) makes CDK add
``xray:PutTraceSegments``/``PutTelemetryRecords`` on ``*``: X-Ray has no resource-level
permissions for them, acknowledged below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.nag import acknowledge

__all__ = ["PYTHON_RUNTIME", "FunctionParts", "lambda_principal", "log_statement", "platform_function"]

PYTHON_RUNTIME = lambda_.Runtime.PYTHON_3_14
"""Must match ``infra.packaging.spec.LAMBDA_PYTHON`` (the wheels are resolved for it)."""

XRAY_REASON = (
    "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (AWS "
    "service authorization reference): Resource must be *. Added by CDK for active tracing."
)


@dataclass(frozen=True)
class FunctionParts:
    """A function with the role and log group created for it."""

    function: lambda_.Function
    role: iam.Role
    log_group: logs.LogGroup


def lambda_principal(scope: Construct) -> iam.ServicePrincipal:
    """``lambda.amazonaws.com``, for functions of this account only (``aws:SourceAccount``: the
    confused-deputy condition). No ``aws:SourceArn``: Lambda does not document one for assuming an
    execution role, and a condition on a key that is absent would deny every invocation."""
    account = cdk.Stack.of(scope).account
    return iam.ServicePrincipal(
        "lambda.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": account}}
    )


def log_statement(log_group: logs.ILogGroup) -> iam.PolicyStatement:
    """Write to this log group only (its ARN ends in ``:*``, covering its streams)."""
    return iam.PolicyStatement(
        sid="WriteOwnLogs",
        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
        resources=[log_group.log_group_arn],
    )


def platform_function(
    scope: Construct,
    construct_id: str,
    *,
    function_name: str,
    description: str,
    handler: str,
    code: lambda_.Code,
    environment: Mapping[str, str],
    memory_size: int,
    timeout: cdk.Duration,
    log_retention: logs.RetentionDays,
    removal_policy: cdk.RemovalPolicy,
    tracing: bool = True,
    runtime: lambda_.Runtime = PYTHON_RUNTIME,
    reserved_concurrency: int | None = None,
    star_reasons: Sequence[str] = (),
    **function_options: object,
) -> FunctionParts:
    """A function named ``function_name`` with its own role and ``/aws/lambda/<name>`` log group.

    ``star_reasons`` explain the role's other ``Resource: *`` statements (actions without
    resource-level permissions); cdk-nag reports one ``Resource::*`` finding per role, so they are
    acknowledged together with the X-Ray reason. ``function_options`` go to ``lambda_.Function``
    unchanged (``snap_start``, ``on_failure`` …).
    """
    log_group = logs.LogGroup(
        scope,
        f"{construct_id}Logs",
        log_group_name=f"/aws/lambda/{function_name}",
        retention=log_retention,
        removal_policy=removal_policy,
    )
    role = iam.Role(
        scope,
        f"{construct_id}Role",
        assumed_by=lambda_principal(scope),  # type: ignore[arg-type]
        description=f"Execution role of {function_name}: exactly what its handler calls.",
    )
    role.add_to_policy(log_statement(log_group))
    function = lambda_.Function(
        scope,
        construct_id,
        function_name=function_name,
        description=description,
        runtime=runtime,
        architecture=lambda_.Architecture.ARM_64,
        handler=handler,
        code=code,
        role=role,  # type: ignore[arg-type]
        log_group=log_group,  # type: ignore[arg-type]
        environment=dict(environment),
        memory_size=memory_size,
        timeout=timeout,
        tracing=lambda_.Tracing.ACTIVE if tracing else lambda_.Tracing.DISABLED,
        reserved_concurrent_executions=reserved_concurrency,
        **function_options,  # type: ignore[arg-type]
    )
    reasons = ([XRAY_REASON] if tracing else []) + list(star_reasons)
    if reasons:
        acknowledge(role, "IAM5", " ".join(reasons), findings=["Resource::*"])
    return FunctionParts(function=function, role=role, log_group=log_group)
