"""What each control-plane function calls, as IAM statements (read from the handlers' code paths).

=============  ===========================================================================
registrar      lambda:GetFunction, ListTags, ListVersionsByFunction, PublishVersion (the candidate
               function); ToolRegistry GetItem, Query, BatchGetItem, TransactWriteItems of
               Put/Delete; events:PutEvents; sqs:SendMessage (its re-check queue)
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

from infra.arns import function_arn

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
    "Any tagged Lambda function may register as a tool (design.md §1), so the registrar and the "
    "reconciler read functions (GetFunction, ListTags: read-only) by name pattern; narrow it with "
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


def read_functions_statement(stack: cdk.Stack, prefixes: Sequence[str]) -> iam.PolicyStatement:
    """GetFunction/ListTags on functions named with one of ``prefixes`` (none given: every function)."""
    return iam.PolicyStatement(
        sid="ReadCandidateFunctions",
        actions=["lambda:GetFunction", "lambda:ListTags"],
        resources=[function_arn(stack, f"{p}*") for p in (list(prefixes) or [""])],
    )


def publish_versions_statement(stack: cdk.Stack, prefixes: Sequence[str]) -> iam.PolicyStatement:
    """Publishing the Lambda version a registered tool runs, and listing versions to check that the
    registered ones still exist (a recreated function reuses version numbers)."""
    return iam.PolicyStatement(
        sid="PublishToolVersions",
        actions=["lambda:ListVersionsByFunction", "lambda:PublishVersion"],
        resources=[function_arn(stack, f"{p}*") for p in (list(prefixes) or [""])],
    )


def publish_statement(bus_arn: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(sid="PublishRegistryEvents", actions=["events:PutEvents"], resources=[bus_arn])


def tagging_statement() -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid="FindTaggedFunctions",
        actions=["tag:GetResources"],
        resources=["*"],  # the Resource Groups Tagging API has no resource-level permissions
    )
