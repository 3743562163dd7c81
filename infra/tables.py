"""DynamoDB tables from the control plane's ``CreateTable`` specs (``control_plane.registry.table``).

Keys, attribute types, indexes, projections and the stream view come from the spec, so local mode
and AWS cannot drift apart; this module adds what ``CreateTable`` cannot say: point-in-time
recovery, deletion protection and the removal policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

__all__ = ["index_names", "table_from_spec"]

_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_STREAMS = {
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    "NEW_IMAGE": dynamodb.StreamViewType.NEW_IMAGE,
    "OLD_IMAGE": dynamodb.StreamViewType.OLD_IMAGE,
    "KEYS_ONLY": dynamodb.StreamViewType.KEYS_ONLY,
}


def _key(spec: Mapping[str, Any], schema: list[dict[str, str]], kind: str) -> dynamodb.Attribute | None:
    types = {a["AttributeName"]: a["AttributeType"] for a in spec["AttributeDefinitions"]}
    for element in schema:
        if element["KeyType"] == kind:
            name = element["AttributeName"]
            return dynamodb.Attribute(name=name, type=_TYPES[types[name]])
    return None


def _index(spec: Mapping[str, Any], gsi: Mapping[str, Any]) -> dynamodb.GlobalSecondaryIndexPropsV2:
    projection = gsi.get("Projection", {"ProjectionType": "ALL"})
    kind = projection["ProjectionType"]
    return dynamodb.GlobalSecondaryIndexPropsV2(
        index_name=gsi["IndexName"],
        partition_key=_key(spec, gsi["KeySchema"], "HASH"),  # type: ignore[arg-type]
        sort_key=_key(spec, gsi["KeySchema"], "RANGE"),
        projection_type=getattr(dynamodb.ProjectionType, kind),
        non_key_attributes=projection.get("NonKeyAttributes") if kind == "INCLUDE" else None,
    )


def index_names(spec: Mapping[str, Any]) -> list[str]:
    """Names of the spec's global secondary indexes (for index-scoped IAM statements)."""
    return sorted(g["IndexName"] for g in spec.get("GlobalSecondaryIndexes", []))


def _encryption(spec: Mapping[str, Any]) -> dynamodb.TableEncryptionV2:
    """CreateTable's ``SSESpecification``: enabled = the AWS managed KMS key ``aws/dynamodb``."""
    sse = spec.get("SSESpecification") or {}
    if sse.get("KMSMasterKeyId"):
        raise ValueError(f"{spec['TableName']}: customer managed keys are not supported by this mapping")
    if sse.get("Enabled"):
        return dynamodb.TableEncryptionV2.aws_managed_key()
    return dynamodb.TableEncryptionV2.dynamo_owned_key()


def table_from_spec(
    scope: Construct,
    construct_id: str,
    spec: Mapping[str, Any],
    *,
    deletion_protection: bool,
    removal_policy: cdk.RemovalPolicy,
) -> dynamodb.TableV2:
    """A ``TableV2`` equal to ``spec`` (on-demand, encrypted, streamed as specified) plus PITR."""
    if spec.get("BillingMode", "PAY_PER_REQUEST") != "PAY_PER_REQUEST":
        raise ValueError(f"{spec['TableName']}: only on-demand tables are supported")
    stream = spec.get("StreamSpecification") or {}
    partition_key = _key(spec, spec["KeySchema"], "HASH")
    if partition_key is None:
        raise ValueError(f"{spec['TableName']}: the key schema has no HASH key")
    return dynamodb.TableV2(
        scope,
        construct_id,
        table_name=spec["TableName"],
        partition_key=partition_key,
        sort_key=_key(spec, spec["KeySchema"], "RANGE"),
        billing=dynamodb.Billing.on_demand(),
        global_secondary_indexes=[_index(spec, g) for g in spec.get("GlobalSecondaryIndexes", [])] or None,
        dynamo_stream=_STREAMS[stream["StreamViewType"]] if stream.get("StreamEnabled") else None,
        encryption=_encryption(spec),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=deletion_protection,
        removal_policy=removal_policy,
    )
