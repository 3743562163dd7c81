"""Registry-bus events: models, shipped JSON Schemas, parsing, publishing."""

from __future__ import annotations

import json
import time
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
        input_sha256="a" * 64,
        timeout_seconds=3600,
        expires_at="2026-11-05T13:00:00.000Z",
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


def test_every_event_the_platform_emits_matches_its_shipped_schema(aws, local_control_plane):
    """Issue 12, item 10: no hand-made samples — every detail type, as a local run emits it on the
    registry bus (an SQS subscription, as any subscriber), validates against its shipped schema."""
    from typer.testing import CliRunner

    from agent_templates import validate_agent_spec
    from control_plane.agents import AgentRegistry
    from control_plane.agents.runs import AgentRunner
    from local.testing import build_zip, ensure_lambda_role
    from sfa.cli import app
    from tests.control_plane.test_releases import Bus
    from tool_sdk import encode_manifest_tags, validate_manifest

    bus, lam, cli = Bus(aws), aws.client("lambda"), CliRunner()
    agents = AgentRegistry("AgentRegistry-dev", aws.client("dynamodb"))
    data = {"name": "slug", "version": "1.0.0", "description": "Slugs.", "input_schema": {"type": "object"}}
    tags = encode_manifest_tags(validate_manifest(data, portability=False)[0])
    code = build_zip({"app.py": "def handler(event, context):\n    return event\n"})
    for function in ("tool-slug-dev", "tool-impostor-dev"):  # the second claims a name it does not own
        lam.create_function(
            FunctionName=function,
            Runtime="python3.12",
            Role=ensure_lambda_role(aws),
            Handler="app.handler",
            Code={"ZipFile": code},
            Tags=tags,
        )
        local_control_plane.settle()
    for name, selector, approval in (("asker", "slug", {"mode": "all"}), ("lost", "slug@^9", {})):
        spec = {"name": name, "model": "offline:default", "tools": [selector], "approval": approval}
        agents.apply(validate_agent_spec(spec))
        local_control_plane.settle()
    runner = AgentRunner(agents, aws.client("stepfunctions"))
    execution = runner.start("asker", {"prompt": 'slug {"text": "A b"}'})
    deadline = time.monotonic() + 30
    while not any(e["type"] == "ToolApprovalRequested" for e in bus.seen) and time.monotonic() < deadline:
        bus.drain()
    for verb, reason in (("deprecate", "old"), ("disable", "gone")):
        result = cli.invoke(app, ["tools", verb, "slug@1.0.0", "--reason", reason])
        assert result.exit_code == 0, result.output
        local_control_plane.settle()
    bus.drain()

    seen = {e["type"] for e in bus.seen}
    assert seen == set(DETAIL_TYPES), f"missing {set(DETAIL_TYPES) - seen}"
    for event in bus.seen:
        detail = {k: v for k, v in event.items() if k != "type"}
        jsonschema.validate(detail, load_schema(event["type"]))
        parsed = parse_event({"source": EVENT_SOURCE, "detail-type": event["type"], "detail": detail})
        assert event["type"] == type(parsed).DETAIL_TYPE
    [request] = [e for e in bus.seen if e["type"] == "ToolApprovalRequested"]
    assert request["execution_arn"] == execution and request["input_sha256"]
    aws.client("stepfunctions").send_task_failure(taskToken=request["task_token"], error="ToolCallDenied")
    assert runner.follow(execution, timeout_seconds=30).execution_status == "SUCCEEDED"
