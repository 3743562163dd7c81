"""What each control-plane function calls, as IAM statements (read from the handlers' code paths).

=============  ===========================================================================
registrar      lambda:GetFunction, ListTags, ListVersionsByFunction (any function: reads, to judge
               every tagged function and report claims outside its scope), PublishVersion (only
               functions in its scope: ``tool-*-{env}`` by default); ToolRegistry GetItem, Query,
               BatchGetItem, TransactWriteItems of Put/Delete; events:PutEvents; sqs:SendMessage
               (its re-check queue)
reconciler     the registrar's calls (it runs ``Registrar.sync``) + tag:GetResources
regenerator    ToolRegistry reads; AgentRegistry GetItem/BatchGetItem/UpdateItem and the
               teardown's transactional Delete; agent state machines, roles and grant policies
               (:mod:`infra.policies`); events:PutEvents
agent specs    AgentRegistry GetItem and UpdateItem (``apply_agent``/``delete_agent`` write with
               conditional UpdateItem, transactionally)
=============  ===========================================================================

IAM authorizes each item of a ``TransactWriteItems`` by its own action (``PutItem``, ``UpdateItem``,
``DeleteItem``), so those are what the statements list.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam

from control_plane.config import ANY_FUNCTION
from infra.arns import function_arn
from infra.contracts import names

__all__ = [
    "AGENT_RESOURCES_REASON",
    "AGENT_SPEC_TABLE_ACTIONS",
    "ANY_FUNCTION_REASON",
    "REGENERATOR_AGENT_TABLE_ACTIONS",
    "REGISTRAR_TABLE_ACTIONS",
    "REGISTRY_READ_ACTIONS",
    "TAGGING_REASON",
    "publish_statement",
    "publish_versions_statement",
    "read_functions_statement",
    "registrar_scope_patterns",
    "table_statements",
    "tagging_statement",
]

REGISTRY_READ_ACTIONS = ("dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query")
REGISTRAR_TABLE_ACTIONS = (*REGISTRY_READ_ACTIONS, "dynamodb:DeleteItem", "dynamodb:PutItem")
REGENERATOR_AGENT_TABLE_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:UpdateItem",
)
AGENT_SPEC_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:UpdateItem")

TAGGING_REASON = "tag:GetResources (Resource Groups Tagging API) has no resource-level permissions."
ANY_FUNCTION_REASON = (
    "The registrar and the reconciler read any function of the account (GetFunction, ListTags, "
    "ListVersionsByFunction: read-only) so that a tagged function outside their scope is reported "
    "(ToolRejected function_not_allowed) instead of failing the event; they publish versions "
    "(the only write) of the functions in their scope only: tool-*-{env} by default, else "
    "allowed_function_prefixes."
)
AGENT_RESOURCES_REASON = (
    "Agents are created at run time by the regenerator, so their state machines, versions, aliases, "
    "roles and grant policies are known only by the naming convention agent-*-{env}; every role "
    "write additionally requires the agent permissions boundary (iam:PermissionsBoundary)."
)


def table_statements(
    sid: str, table: dynamodb.ITable, indexes: Sequence[str], actions: Sequence[str]
) -> list[iam.PolicyStatement]:
    """``actions`` on the table, and Query on each named index (indexes serve nothing else)."""
    statements = [iam.PolicyStatement(sid=sid, actions=sorted(actions), resources=[table.table_arn])]
    if indexes and "dynamodb:Query" in actions:
        statements.append(
            iam.PolicyStatement(
                sid=f"{sid}Indexes",
                actions=["dynamodb:Query"],
                resources=[f"{table.table_arn}/index/{name}" for name in indexes],
            )
        )
    return statements


def read_functions_statement(stack: cdk.Stack) -> iam.PolicyStatement:
    """GetFunction/ListTags/ListVersionsByFunction on every function of the account (reads: what a
    function is, whether it is in scope, whether its registered versions still exist)."""
    return iam.PolicyStatement(
        sid="ReadCandidateFunctions",
        actions=["lambda:GetFunction", "lambda:ListTags", "lambda:ListVersionsByFunction"],
        resources=[function_arn(stack, "*")],
    )


def registrar_scope_patterns(env: str, prefixes: Sequence[str]) -> list[str]:
    """Function-name patterns of the registrar's scope (``ControlPlaneConfig.function_allowed``):
    ``tool-*-{env}`` by default, ``{prefix}*`` for each allowed prefix, ``*`` for ``("*",)``."""
    prefixes = tuple(prefixes)
    if ANY_FUNCTION in prefixes:
        if len(prefixes) > 1:
            raise ValueError("allowed_function_prefixes: '*' (any function) cannot be combined with prefixes")
        return ["*"]
    if prefixes:
        return [f"{p}*" for p in prefixes]
    return [names.tool_function_pattern(env)]


def publish_versions_statement(stack: cdk.Stack, env: str, prefixes: Sequence[str]) -> iam.PolicyStatement:
    """Publishing the Lambda version a registered tool runs: functions in the registrar's scope only."""
    return iam.PolicyStatement(
        sid="PublishToolVersions",
        actions=["lambda:PublishVersion"],
        resources=[function_arn(stack, p) for p in registrar_scope_patterns(env, prefixes)],
    )


def publish_statement(bus_arn: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(sid="PublishRegistryEvents", actions=["events:PutEvents"], resources=[bus_arn])


def tagging_statement() -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid="FindTaggedFunctions",
        actions=["tag:GetResources"],
        resources=["*"],  # the Resource Groups Tagging API has no resource-level permissions
    )
