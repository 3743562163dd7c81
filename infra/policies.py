"""IAM of the control plane that is not a plain ``grant_*``: the agent permissions boundary and the
regenerator's management of agent state machines and roles.

The regenerator creates one role per agent (``agent-{name}-{env}``) with an inline policy (and, when
the grants do not fit, content-addressed managed policies) rendered from the registry. It may do so
only with the boundary attached (``iam:PermissionsBoundary`` condition on every call that creates a
role or changes what it may do), so even a compromised
regenerator cannot mint a role that does more than the boundary allows: invoke published versions
of the env's tool functions (never ``$LATEST`` or an alias) and the gateway, publish to the registry
bus, deliver logs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from control_plane.agents.iam import MANAGED_DIGEST_CHARS
from infra.arns import agent_role_arn_pattern, function_arn, state_machine_arn
from infra.contracts import AGENT_POLICY_PATH, names

__all__ = [
    "LOG_DELIVERY_ACTIONS",
    "PUBLISHED_VERSION_WILDCARDS",
    "ROLE_OTHER_ACTIONS",
    "ROLE_WRITE_ACTIONS",
    "STATE_MACHINE_ACTIONS",
    "agent_boundary_policy",
    "agent_execution_arns",
    "agent_function_arns",
    "agent_policy_arn_pattern",
    "published_versions",
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
# existing one (adopted when derived state was lost), create/update the `live` alias, prune old
# versions after a rollout (control_plane.regenerator.prune: list, delete), and on teardown delete
# the alias and the machine.
STATE_MACHINE_ACTIONS = (
    "states:CreateStateMachine",
    "states:CreateStateMachineAlias",
    "states:DeleteStateMachine",
    "states:DeleteStateMachineAlias",
    "states:DeleteStateMachineVersion",
    "states:DescribeStateMachine",
    "states:ListStateMachineVersions",
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


# Qualifiers matching every published Lambda version (a positive integer without a leading zero) and
# never $LATEST or an alias starting with a letter: tools run only as registered (by version).
# Mirrors control_plane.agents.iam.PUBLISHED_VERSION_WILDCARDS, which the regenerator's layout uses.
PUBLISHED_VERSION_WILDCARDS: tuple[str, ...] = tuple(f"{digit}*" for digit in "123456789")
_FUNCTION_PATTERN = re.compile(r"(?P<function>arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+)(?::(?P<q>[^:]+))?")
_VERSION_QUALIFIER = re.compile(r"[1-9][0-9]*\*?")  # a version (7) or a version pattern (1*)


def published_versions(arn: str) -> list[str]:
    """Every published version of the function(s) ``arn`` names: an unqualified ARN or pattern, or
    one qualified by ``:*``, becomes ``:1*`` … ``:9*``; a version (``:7``) or version pattern
    (``:1*``) stays. ``$LATEST`` or an alias is refused (``ValueError``): tools run by version only.
    A CDK token (``fn.function_arn``) is taken for an unqualified function ARN — if it is in fact
    qualified, the patterns match nothing (fails closed)."""
    match = _FUNCTION_PATTERN.fullmatch(arn)
    if match is None and not cdk.Token.is_unresolved(arn):
        raise ValueError(f"not a Lambda function ARN or pattern: {arn!r}")
    qualifier = match["q"] if match else None
    if qualifier is not None and _VERSION_QUALIFIER.fullmatch(qualifier):
        return [arn]
    if qualifier not in (None, "*"):
        raise ValueError(
            f"{arn!r}: tools are invoked by published version (…:function:NAME:VERSION); the "
            f"qualifier {qualifier!r} is not one ($LATEST or an alias could run unregistered code)"
        )
    function = match["function"] if match else arn
    return [f"{function}:{wildcard}" for wildcard in PUBLISHED_VERSION_WILDCARDS]


def _convention_versions(stack: cdk.Stack, env: str) -> list[str]:
    tools = names.tool_function_name("*", env)
    return [function_arn(stack, f"{tools}:{wildcard}") for wildcard in PUBLISHED_VERSION_WILDCARDS]


def _extra_versions(extra_function_arns: Sequence[str]) -> list[str]:
    return [version for arn in extra_function_arns for version in published_versions(arn)]


def tool_function_arns(stack: cdk.Stack, env: str, extra_function_arns: Sequence[str] = ()) -> list[str]:
    """Tools: every published version of ``tool-*-{env}`` and of the extra functions
    (:func:`published_versions`: ``:1*`` … ``:9*``, neither unqualified nor ``:*``, which would allow
    ``$LATEST`` and aliases). What an agent (directly) or the gateway's tool invoker (``offload``)
    may invoke as a tool."""
    return [*_convention_versions(stack, env), *_extra_versions(extra_function_arns)]


def agent_function_arns(stack: cdk.Stack, env: str, extra_function_arns: Sequence[str] = ()) -> list[str]:
    """Functions an agent may invoke: the tools (:func:`tool_function_arns`) and the gateway,
    unqualified and qualified (the gateway is platform code, not a tool: its ``live`` alias)."""
    gateway = names.gateway_function_name(env)
    return [
        *_convention_versions(stack, env),
        function_arn(stack, gateway),
        function_arn(stack, f"{gateway}:*"),
        *_extra_versions(extra_function_arns),
    ]


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
    """Managed grant policies of agent roles: ``policy/sfa-agents/agent-*-{env}-????????????`` (the
    name ends in the content digest: exactly 12 characters, so ``-{env}-`` is the environment —
    ``agent-*-{env}-*`` would also match ``agent-a-{env}-dev-<digest>``, agent ``a-{env}`` of dev)."""
    digest = "?" * MANAGED_DIGEST_CHARS
    return stack.format_arn(
        service="iam",
        region="",
        resource="policy",
        resource_name=f"{AGENT_POLICY_PATH.strip('/')}/{names.agent_role_name('*', env)}-{digest}",
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
