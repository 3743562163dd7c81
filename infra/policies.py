"""IAM of the control plane that is not a plain ``grant_*``: the agent permissions boundary and the
regenerator's management of agent state machines and roles.

The regenerator creates one role per agent (``agent-{name}-{env}``) with an inline policy (and, when
the grants do not fit, content-addressed managed policies) rendered from the registry. It may do so
only with the boundary attached (``iam:PermissionsBoundary`` condition on every call that creates a
role or changes what it may do), so even a compromised
regenerator cannot mint a role that does more than the boundary allows: invoke the env's tool
functions and the gateway, publish to the registry bus, deliver logs.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.arns import agent_role_arn_pattern, function_arn, state_machine_arn
from infra.contracts import AGENT_POLICY_PATH, names

__all__ = [
    "LOG_DELIVERY_ACTIONS",
    "ROLE_OTHER_ACTIONS",
    "ROLE_WRITE_ACTIONS",
    "STATE_MACHINE_ACTIONS",
    "agent_boundary_policy",
    "agent_execution_arns",
    "agent_function_arns",
    "agent_policy_arn_pattern",
    "regenerator_agent_statements",
    "tool_function_arns",
]

# Step Functions log delivery (vended logs) has no resource-level permissions: Resource must be *.
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
)
# What the regenerator does to agent-{name}-{env} (control_plane.regenerator.rollout): create or
# update with publish=True (a version; CreateStateMachine's tags need TagResource), describe an
# existing one (adopted when derived state was lost), create/update the `live` alias, and on
# teardown delete the alias and the machine.
STATE_MACHINE_ACTIONS = (
    "states:CreateStateMachine",
    "states:CreateStateMachineAlias",
    "states:DeleteStateMachine",
    "states:DeleteStateMachineAlias",
    "states:DescribeStateMachine",
    "states:PublishStateMachineVersion",
    "states:TagResource",
    "states:UpdateStateMachine",
    "states:UpdateStateMachineAlias",
)
# control_plane.regenerator.roles: calls that create a role or change what it may do; each is
# allowed only on a role that carries the boundary (iam:PermissionsBoundary condition).
ROLE_WRITE_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
)
# Reading, tagging (CreateRole with tags) and deleting grant nothing new; these actions have no
# iam:PermissionsBoundary condition key.
ROLE_OTHER_ACTIONS = ("iam:DeleteRole", "iam:GetRole", "iam:TagRole")


def tool_function_arns(stack: cdk.Stack, env: str, extra_function_arns: Sequence[str] = ()) -> list[str]:
    """Tools: ``tool-*-{env}`` unqualified and qualified, and the extra functions. What an agent
    (directly) or the gateway's tool invoker (``offload``) may invoke as a tool."""
    tools = names.tool_function_name("*", env)
    return [function_arn(stack, tools), function_arn(stack, f"{tools}:*"), *extra_function_arns]


def agent_function_arns(stack: cdk.Stack, env: str, extra_function_arns: Sequence[str] = ()) -> list[str]:
    """Functions an agent may invoke: ``tool-*-{env}`` and the gateway, unqualified and qualified."""
    tools, extra = tool_function_arns(stack, env)[:2], list(extra_function_arns)
    gateway = names.gateway_function_name(env)
    return [*tools, function_arn(stack, gateway), function_arn(stack, f"{gateway}:*"), *extra]


def agent_execution_arns(stack: cdk.Stack, env: str) -> list[str]:
    """Agents' state machines (any version/alias) and their executions: ``agent-*-{env}``."""
    machine = names.agent_state_machine_name("*", env)
    return [
        stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=machine,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        ),
        stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=f"{machine}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        ),
        stack.format_arn(
            service="states",
            resource="execution",
            resource_name=f"{machine}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        ),
    ]


def agent_boundary_policy(
    scope: Construct,
    construct_id: str,
    *,
    env: str,
    bus_arn: str,
    extra_function_arns: Sequence[str] = (),
) -> iam.ManagedPolicy:
    """The permissions boundary ``sfa-agent-boundary-{env}`` every agent role must carry."""
    stack = cdk.Stack.of(scope)
    return iam.ManagedPolicy(
        scope,
        construct_id,
        managed_policy_name=names.agent_boundary_policy_name(env),
        description=f"Permissions boundary of agent roles in {env}: invoke tools/gateway, publish, log.",
        statements=[
            iam.PolicyStatement(
                sid="InvokeToolsAndGateway",
                actions=["lambda:InvokeFunction"],
                resources=agent_function_arns(stack, env, extra_function_arns),
            ),
            iam.PolicyStatement(
                sid="PublishRegistryEvents", actions=["events:PutEvents"], resources=[bus_arn]
            ),
            # History budget: an agent near Step Functions' 25,000-event cap continues in a child
            # execution of its own version (startExecution.sync:2, which needs the managed rule).
            iam.PolicyStatement(
                sid="ContinueInChildExecution",
                actions=["states:StartExecution", "states:DescribeExecution", "states:StopExecution"],
                resources=agent_execution_arns(stack, env),
            ),
            iam.PolicyStatement(
                sid="SyncExecutionRule",
                actions=["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                resources=[
                    stack.format_arn(
                        service="events",
                        resource="rule",
                        resource_name="StepFunctionsGetEventsForStepFunctionsExecutionRule",
                    )
                ],
            ),
            iam.PolicyStatement(
                sid="DeliverExecutionLogs",
                actions=list(LOG_DELIVERY_ACTIONS),
                resources=["*"],  # no resource-level permissions for log delivery
            ),
        ],
    )


def agent_policy_arn_pattern(stack: cdk.Stack, env: str) -> str:
    """Managed grant policies of agent roles: ``policy/sfa-agents/agent-*-{env}-*``."""
    return stack.format_arn(
        service="iam",
        region="",
        resource="policy",
        resource_name=f"{AGENT_POLICY_PATH.strip('/')}/{names.agent_role_name('*', env)}-*",
    )


def regenerator_agent_statements(
    stack: cdk.Stack, *, env: str, boundary_arn: str
) -> list[iam.PolicyStatement]:
    """State machines ``agent-*-{env}``; roles ``agent-*-{env}`` only with the boundary attached;
    their managed grant policies under ``/sfa-agents/``."""
    machine = state_machine_arn(stack, names.agent_state_machine_name("*", env))
    roles = agent_role_arn_pattern(stack, env)
    policies = agent_policy_arn_pattern(stack, env)
    return [
        iam.PolicyStatement(
            sid="ManageAgentStateMachines",
            actions=list(STATE_MACHINE_ACTIONS),
            resources=[machine, f"{machine}:*"],  # the machine, its versions (:N) and aliases (:live)
        ),
        iam.PolicyStatement(
            sid="WriteAgentRolesOnlyWithBoundary",
            actions=list(ROLE_WRITE_ACTIONS),
            resources=[roles],
            conditions={"StringEquals": {"iam:PermissionsBoundary": boundary_arn}},
        ),
        iam.PolicyStatement(
            sid="ReadTagDeleteAgentRoles", actions=list(ROLE_OTHER_ACTIONS), resources=[roles]
        ),
        iam.PolicyStatement(
            # Only ever attached to boundary-capped agent roles (AttachRolePolicy above).
            sid="ManageAgentGrantPolicies",
            actions=["iam:CreatePolicy", "iam:DeletePolicy"],
            resources=[policies],
        ),
        iam.PolicyStatement(
            sid="PassAgentRolesToStepFunctions",
            actions=["iam:PassRole"],
            resources=[roles],
            conditions={"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}},
        ),
    ]
