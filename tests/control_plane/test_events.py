"""Registry-bus events: models, shipped JSON Schemas, parsing, publishing."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from control_plane.errors import EventParseError, EventPublishError
from control_plane.events import (
    DETAIL_TYPES,
    EVENT_SOURCE,
    AgentRegenerated,
    AgentRegenerationFailed,
    EventBridgePublisher,
    RejectionReason,
    ResolvedTool,
    ToolApprovalRequested,
    ToolDeregistered,
    ToolRegistered,
    ToolRejected,
    ToolUpdated,
    generate_schemas,
    load_schema,
    parse_event,
    put_events_entry,
)
from control_plane.events.jsonschema import SCHEMA_DIR

NOW = "2026-11-05T12:00:00.000000Z"
_TOOL = {
    "occurred_at": NOW,
    "tool_name": "convert_units",
    "version": "1.2.0",
    "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:tool-convert-units-dev",
    "lambda_function_name": "tool-convert-units-dev",
    "latest_version": "1.2.0",
}
_LIVE = {
    **_TOOL,
    "status": "active",
    "owner": _TOOL["lambda_arn"],
    "code_sha256": "abc=",
    "manifest_sha256": "0" * 64,
    "tags": ["travel"],
}
SAMPLES = [
    ToolRegistered(**_LIVE),
    ToolUpdated(**_LIVE, previous_status="deprecated", changed_fields=["status"]),
    ToolDeregistered(**_TOOL, reason="superseded", superseded_by="convert_units@1.3.0"),
    ToolRejected(
        occurred_at=NOW,
        function_name="tool-x",
        reasons=[RejectionReason(code="invalid_manifest", path="input_schema.type", message="bad")],
    ),
    AgentRegenerated(
        occurred_at=NOW,
        agent_name="trip-planner",
        state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:agent-trip-planner-dev",
        version_arn="arn:aws:states:us-east-1:123456789012:stateMachine:agent-trip-planner-dev:3",
        definition_sha256="f" * 64,
        resolved_tools=[
            ResolvedTool(tool_name="convert_units", version="1.2.0", lambda_arn=_TOOL["lambda_arn"])
        ],
        trigger_tools=["convert_units@1.2.0"],
    ),
    AgentRegenerationFailed(
        occurred_at=NOW,
        agent_name="trip-planner",
        error_type="PolicyTooLarge",
        error_message="x",
        retryable=False,
    ),
    ToolApprovalRequested(
        occurred_at=NOW,
        agent_name="trip-planner",
        execution_arn="arn:aws:states:us-east-1:123456789012:execution:agent-trip-planner-dev:run1",
        tool_name="book_flight",
        tool_version="1.0.0",
        tool_use_id="toolu_1",
        task_token="AAAA",
        input={"to": "LIS"},
    ),
]


def test_every_detail_type_has_a_sample_and_a_shipped_schema():
    assert sorted(type(s).DETAIL_TYPE for s in SAMPLES) == sorted(DETAIL_TYPES)
    for name in DETAIL_TYPES:
        schema = load_schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["x-detail-type"] == name and "schema_version" in schema["required"]


def test_shipped_schemas_are_not_stale():
    generated = generate_schemas()
    shipped = {p.name: p.read_text() for p in SCHEMA_DIR.glob("*.schema.json")}
    assert shipped == generated, "run: python -m control_plane.events"


@pytest.mark.parametrize("detail", SAMPLES, ids=lambda d: type(d).DETAIL_TYPE)
def test_samples_validate_against_schema_and_round_trip(detail):
    entry = put_events_entry(detail, "sfa-registry-test")
    body = json.loads(entry["Detail"])
    jsonschema.validate(body, load_schema(detail.DETAIL_TYPE))
    event = {"source": EVENT_SOURCE, "detail-type": entry["DetailType"], "detail": body}
    assert parse_event(event) == detail
    assert parse_event(json.dumps(event)) == detail  # e.g. an SQS message body


def test_parse_event_rejects_foreign_and_malformed_events():
    good = {
        "source": EVENT_SOURCE,
        "detail-type": "ToolRejected",
        "detail": SAMPLES[3].model_dump(mode="json"),
    }
    with pytest.raises(EventParseError, match="source"):
        parse_event({**good, "source": "aws.lambda"})
    with pytest.raises(EventParseError, match="unknown detail-type"):
        parse_event({**good, "detail-type": "ToolExploded"})
    with pytest.raises(EventParseError, match="schema_version"):
        parse_event({**good, "detail": {**good["detail"], "schema_version": 2}})
    with pytest.raises(EventParseError, match="invalid ToolRejected"):
        parse_event({**good, "detail": {**good["detail"], "reasons": []}})
    # fields added by a newer producer are ignored
    assert parse_event({**good, "detail": {**good["detail"], "new_field": 1}}) == SAMPLES[3]


def test_publisher_delivers_to_the_bus(aws):
    events, sqs = aws.client("events"), aws.client("sqs")
    events.create_event_bus(Name="sfa-registry-test")
    queue = sqs.create_queue(QueueName="registry-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="all", EventBusName="sfa-registry-test", EventPattern=json.dumps({"source": [EVENT_SOURCE]})
    )
    events.put_targets(Rule="all", EventBusName="sfa-registry-test", Targets=[{"Id": "q", "Arn": queue_arn}])

    EventBridgePublisher("sfa-registry-test", events).publish(SAMPLES * 2)  # 14 entries: two batches

    received: list[Any] = []
    while len(received) < 14:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        assert messages, f"only {len(received)} events arrived"
        received += [parse_event(m["Body"]) for m in messages]
    assert sorted(type(r).DETAIL_TYPE for r in received) == sorted(type(s).DETAIL_TYPE for s in SAMPLES * 2)


class _FlakyEvents:
    def __init__(self, fail_times: int) -> None:
        self.fail_times = fail_times
        self.calls: list[list[dict]] = []

    def put_events(self, Entries: list[dict]) -> dict:
        """Entries after the first fail (InternalFailure) during the first ``fail_times`` calls."""
        self.calls.append(Entries)
        failing = len(self.calls) <= self.fail_times
        results = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "boom"}
            if failing and e["DetailType"] != "ToolRegistered"
            else {"EventId": str(i)}
            for i, e in enumerate(Entries)
        ]
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def test_publisher_retries_only_failed_entries_then_succeeds():
    client = _FlakyEvents(fail_times=1)
    EventBridgePublisher("bus", client, sleep=lambda s: None).publish(SAMPLES[:3])
    assert [len(c) for c in client.calls] == [3, 2]
    assert [e["DetailType"] for e in client.calls[1]] == ["ToolUpdated", "ToolDeregistered"]


def test_publisher_raises_with_failures_when_entries_keep_failing():
    client = _FlakyEvents(fail_times=99)
    with pytest.raises(EventPublishError) as info:
        EventBridgePublisher("bus", client, max_attempts=3, sleep=lambda s: None).publish(SAMPLES[:2])
    assert len(client.calls) == 3
    assert info.value.failures == [("ToolUpdated", "InternalFailure", "boom")]
