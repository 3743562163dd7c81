"""Helpers of the regenerator tests: stream taps, the offline gateway, bulk registry items."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from agent_templates import RenderOptions, RetryPolicy
from control_plane.agents.iam import boundary_policy_document
from control_plane.deployment import agent_boundary_policy_name, gateway_function_name
from control_plane.registry.codec import to_attribute_map
from control_plane.registry.keys import GSI_STATUS, GSI_TAG, GSI_UPDATED, LATEST_SK, TOOL_ACTIVE, tag_sk
from local.testing import build_zip, create_function

ACCOUNT = "123456789012"
REGION = "us-east-1"
# Step Functions' minimum retry interval is 1 s and moto really sleeps it.
FAST_OPTIONS = RenderOptions(
    gateway_retry=RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0),
    lambda_retry=RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0),
)


class StreamTap:
    """Reads a table's DynamoDB stream (as the event source mapping would) from where it left off."""

    def __init__(self, aws: Any, table: str) -> None:
        self.table = table
        self.arn = aws.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self.streams = aws.client("dynamodbstreams")
        self.region = aws.region
        self._last: dict[str, str] = {}

    def records(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        shards = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        for shard in shards:
            sid = shard["ShardId"]
            params: dict[str, Any] = {"StreamArn": self.arn, "ShardId": sid}
            if sid in self._last:
                params.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=self._last[sid])
            else:
                params["ShardIteratorType"] = "TRIM_HORIZON"
            iterator = self.streams.get_shard_iterator(**params)["ShardIterator"]
            for record in self.streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]:
                out.append(self._lambda_record(record))
                self._last[sid] = record["dynamodb"]["SequenceNumber"]
        return out

    def event(self) -> dict[str, Any]:
        return {"Records": self.records()}

    def skip(self) -> None:
        self.records()

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        ddb = dict(record["dynamodb"])
        created = ddb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime.datetime):
            ddb["ApproximateCreationDateTime"] = int(created.timestamp())
        return {
            "eventID": record["eventID"],
            "eventName": record["eventName"],
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            "dynamodb": ddb,
            "eventSourceARN": self.arn,
        }


def create_boundary(aws: Any, env: str, bus_name: str) -> str:
    document = boundary_policy_document(REGION, ACCOUNT, bus_name)
    response = aws.client("iam").create_policy(
        PolicyName=agent_boundary_policy_name(env), PolicyDocument=json.dumps(document)
    )
    return response["Policy"]["Arn"]


def deploy_offline_gateway(aws: Any, env: str) -> str:
    """The real gateway handler (its offline provider needs no key). The runner's interpreter
    provides the project's packages, as a layer would."""
    return create_function(
        aws,
        gateway_function_name(env),
        {"README.txt": "llm_gateway is provided by the runtime's packages"},
        "llm_gateway.handler.handler",
        timeout=30,
        env={"SFA_ENV": env, "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "true"},
    )["FunctionArn"]


def echo_zip() -> bytes:
    return build_zip({"app.py": "def handler(event, context):\n    return {'echo': event}\n"})


def bulk_tool_items(names: list[str], label: str, function_for: Any) -> list[dict[str, Any]]:
    """Version, latest and tag items (ToolRegistry layout) of tools ``names``@1.0.0 labelled ``label``."""
    now = "2026-01-01T00:00:00.000000Z"
    items = []
    for name in names:
        function = function_for(name)
        version = {
            "tool_name": name,
            "version": "1.0.0",
            "name": name,
            "description": f"Bulk tool {name}.",
            "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
            "tags": [label],
            "status": "active",
            "human_approval_required": False,
            "lambda_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}:1",  # a published version
            "lambda_function_name": function,
            "code_sha256": "x",
            "owner": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}",
            "manifest_sha256": hashlib.sha256(name.encode()).hexdigest(),
            "content_sha256": hashlib.sha256(name.encode()).hexdigest(),
            "requested_status": "active",
            "status_reason": "manifest",
            "created_at": now,
            "updated_at": now,
            GSI_STATUS: "version#active",
            GSI_UPDATED: now,
        }
        latest = {**version, "version": LATEST_SK, "resolved_version": "1.0.0", GSI_STATUS: TOOL_ACTIVE}
        items += [version, latest, {"tool_name": name, "version": tag_sk(label), GSI_TAG: label}]
    return items


def put_items(aws: Any, table: str, items: list[dict[str, Any]]) -> None:
    ddb = aws.client("dynamodb")
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": to_attribute_map(i)}} for i in items[start : start + 25]]
        ddb.batch_write_item(RequestItems={table: batch})
