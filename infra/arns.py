"""ARNs of resources the platform names by convention (docs/design.md §8), in the stack's partition,
region and account. They let stacks refer to each other's resources without cross-stack exports
(the shared stack scopes policies to the gateway before the LLM stack exists) and let users' stacks
refer to the platform by environment name only.
"""

from __future__ import annotations

import aws_cdk as cdk

from infra.contracts import AGENT_LIVE_ALIAS, names

__all__ = [
    "GATEWAY_ALIAS",
    "agent_alias_arn",
    "agent_role_arn_pattern",
    "event_bus_arn",
    "function_arn",
    "gateway_alias_arn",
    "log_group_arn",
    "secret_arn",
    "state_machine_arn",
    "table_arn",
]

GATEWAY_ALIAS = "live"
"""ASSUMED: the gateway alias agents invoke (SnapStart applies to published versions only)."""


def function_arn(stack: cdk.Stack, name: str) -> str:
    """``arn:…:lambda:<region>:<account>:function:<name>`` (``name`` may end in ``*`` or ``:<qualifier>``)."""
    return stack.format_arn(
        service="lambda",
        resource="function",
        resource_name=name,
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )


def gateway_alias_arn(stack: cdk.Stack, env: str) -> str:
    return function_arn(stack, f"{names.gateway_function_name(env)}:{GATEWAY_ALIAS}")


def state_machine_arn(stack: cdk.Stack, name: str, qualifier: str | None = None) -> str:
    resource_name = f"{name}:{qualifier}" if qualifier else name
    return stack.format_arn(
        service="states",
        resource="stateMachine",
        resource_name=resource_name,
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )


def agent_alias_arn(stack: cdk.Stack, agent: str, env: str) -> str:
    return state_machine_arn(stack, names.agent_state_machine_name(agent, env), AGENT_LIVE_ALIAS)


def agent_role_arn_pattern(stack: cdk.Stack, env: str) -> str:
    """Every agent role of ``env``: ``arn:…:iam::<account>:role/agent-*-<env>``."""
    return stack.format_arn(
        service="iam", region="", resource="role", resource_name=names.agent_role_name("*", env)
    )


def table_arn(stack: cdk.Stack, table_name: str) -> str:
    return stack.format_arn(service="dynamodb", resource="table", resource_name=table_name)


def event_bus_arn(stack: cdk.Stack, bus_name: str) -> str:
    return stack.format_arn(service="events", resource="event-bus", resource_name=bus_name)


def secret_arn(stack: cdk.Stack, secret_name: str) -> str:
    """A secret by name: Secrets Manager appends 6 random characters to every secret ARN."""
    return stack.format_arn(
        service="secretsmanager",
        resource="secret",
        resource_name=f"{secret_name}-??????",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )


def log_group_arn(stack: cdk.Stack, log_group_name: str) -> str:
    return stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=f"{log_group_name}:*",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
