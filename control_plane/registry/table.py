"""Table definitions shared by local mode and the CDK app (one source of truth).

:func:`tool_registry_table_spec` and :func:`agent_registry_table_spec` return ``CreateTable``
parameters (boto3 shape). Local mode passes them to ``create_table`` as they are; the CDK app maps
the same keys, attribute types and indexes to ``aws_dynamodb.TableV2`` (and adds what CreateTable
cannot express: point-in-time recovery, deletion protection, removal policy).
"""

from __future__ import annotations

import copy
from typing import Any

from control_plane.config import agent_registry_table_name, tool_registry_table_name
from control_plane.registry.keys import (
    BY_LANGUAGE_INDEX,
    BY_STATUS_INDEX,
    BY_TAG_INDEX,
    GSI_LANGUAGE,
    GSI_STATUS,
    GSI_TAG,
    GSI_UPDATED,
    PK,
    SK,
)

__all__ = [
    "AGENT_REGISTRY_GSIS",
    "TOOL_REGISTRY_GSIS",
    "agent_registry_table_spec",
    "create_tables",
    "tool_registry_table_spec",
]

# Every index projects ALL attributes: a listing is one Query, never a Query plus N GetItems
# (except the tag index, whose items are small pointers: see ToolRegistry.list).
TOOL_REGISTRY_GSIS: tuple[dict[str, Any], ...] = (
    {
        # tools by language: latest pointers carry gsi_language = manifest.language
        "IndexName": BY_LANGUAGE_INDEX,
        "KeySchema": [
            {"AttributeName": GSI_LANGUAGE, "KeyType": "HASH"},
            {"AttributeName": PK, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    },
    {
        # tools by tag: one tag item per (tool, label of its latest version)
        "IndexName": BY_TAG_INDEX,
        "KeySchema": [
            {"AttributeName": GSI_TAG, "KeyType": "HASH"},
            {"AttributeName": PK, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    },
    {
        # active tools by update time (gsi_status = "tool#active" on latest pointers), versions by
        # status by update time ("version#<status>"), live function bindings ("function#live")
        "IndexName": BY_STATUS_INDEX,
        "KeySchema": [
            {"AttributeName": GSI_STATUS, "KeyType": "HASH"},
            {"AttributeName": GSI_UPDATED, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    },
)

# AgentRegistry-{env}: PK agent_name (docs/design.md §4). The agents issue owns its contents. The planned
# tool → agents index goes here: an agent references many tools and a list attribute cannot be an
# index key, so it needs one small edge item (or attribute) per (tool, agent) pair with an index on it.
AGENT_REGISTRY_GSIS: tuple[dict[str, Any], ...] = ()


def tool_registry_table_spec(env: str) -> dict[str, Any]:
    """``CreateTable`` parameters of ``ToolRegistry-{env}``."""
    attributes = [PK, SK, GSI_LANGUAGE, GSI_TAG, GSI_STATUS, GSI_UPDATED]
    return {
        "TableName": tool_registry_table_name(env),
        "KeySchema": [
            {"AttributeName": PK, "KeyType": "HASH"},
            {"AttributeName": SK, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        "GlobalSecondaryIndexes": copy.deepcopy(list(TOOL_REGISTRY_GSIS)),
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "SSESpecification": {"Enabled": True},
    }


def agent_registry_table_spec(env: str) -> dict[str, Any]:
    """``CreateTable`` parameters of ``AgentRegistry-{env}`` (PK ``agent_name``)."""
    spec: dict[str, Any] = {
        "TableName": agent_registry_table_name(env),
        "KeySchema": [{"AttributeName": "agent_name", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "agent_name", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "SSESpecification": {"Enabled": True},
    }
    if AGENT_REGISTRY_GSIS:
        spec["GlobalSecondaryIndexes"] = copy.deepcopy(list(AGENT_REGISTRY_GSIS))
        names = {k["AttributeName"] for g in AGENT_REGISTRY_GSIS for k in g["KeySchema"]}
        spec["AttributeDefinitions"] += [
            {"AttributeName": n, "AttributeType": "S"} for n in sorted(names - {"agent_name"})
        ]
    return spec


def create_tables(dynamodb_client: Any, env: str) -> list[str]:
    """Create both registry tables (for local mode and tests); returns their names.

    Existing tables are left as they are.
    """
    from control_plane.aws import call
    from control_plane.errors import AwsError

    names = []
    for spec in (tool_registry_table_spec(env), agent_registry_table_spec(env)):
        try:
            call(dynamodb_client.create_table, **spec)
        except AwsError as exc:
            if exc.code != "ResourceInUseException":
                raise
        names.append(spec["TableName"])
    return names
