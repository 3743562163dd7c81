"""The EventBridge pattern, trigger parsing and the Lambda handler's logging/metrics surface."""

from __future__ import annotations

import io
import json

import pytest

from control_plane.registrar import handler as registrar_handler
from control_plane.registrar.trigger import (
    REGISTRAR_EVENT_NAMES,
    REGISTRAR_EVENT_PATTERN,
    cloudtrail_event,
    function_name_from_ref,
    parse_trigger,
)
from tests.control_plane.helpers import manifest, tags_for

ARN = "arn:aws:lambda:us-east-1:123456789012:function:tool-x-dev"
ACTIONS = list(REGISTRAR_EVENT_NAMES)


@pytest.mark.parametrize("action", ACTIONS)
def test_parse_trigger_reads_the_function_from_each_event_shape(action):
    trigger = parse_trigger(cloudtrail_event(action, ARN, tag_keys=["agent-tool:m00"]))
    assert trigger is not None
    assert (trigger.action, trigger.function_name) == (action, "tool-x-dev")
    assert trigger.event_name.startswith(action + "20")


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("tool-x", "tool-x"),
        (ARN, "tool-x-dev"),
        (ARN + ":$LATEST", "tool-x-dev"),
        (ARN + ":live", "tool-x-dev"),
        ("123456789012:function:tool-x", "tool-x"),
        ("arn:aws:lambda:us-east-1:123456789012:event-source-mapping:abc", None),
        ("not a function!", None),
    ],
)
def test_function_name_from_ref(ref, name):
    assert function_name_from_ref(ref) == name


@pytest.mark.parametrize(
    "event_name",
    [
        "CreateFunctionUrlConfig20211031",
        "DeleteFunctionConcurrency20171031",
        "GetFunction20150331v2",
        "Invoke",
    ],
)
def test_other_lambda_calls_are_ignored(event_name):
    event = cloudtrail_event("CreateFunction", ARN)
    event["detail"]["eventName"] = event_name
    assert parse_trigger(event) is None


def test_failed_calls_and_other_sources_are_ignored():
    failed = cloudtrail_event("CreateFunction", ARN)
    failed["detail"]["errorCode"] = "AccessDenied"
    assert parse_trigger(failed) is None
    assert parse_trigger({**cloudtrail_event("CreateFunction", ARN), "source": "aws.s3"}) is None


def test_rule_pattern_matches_exactly_the_registrar_events(aws):
    """The shipped pattern on a real (emulated) EventBridge rule routes the right events only."""
    events, sqs = aws.client("events"), aws.client("sqs")
    queue = sqs.create_queue(QueueName="registrar-in")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="registrar", EventPattern=json.dumps(REGISTRAR_EVENT_PATTERN))
    events.put_targets(Rule="registrar", Targets=[{"Id": "q", "Arn": arn}])
    wanted = [cloudtrail_event(a, ARN) for a in ACTIONS]
    unwanted = [cloudtrail_event("CreateFunction", ARN) for _ in range(3)]
    unwanted[0]["detail"]["eventName"] = "CreateFunctionUrlConfig20211031"
    unwanted[1]["detail"]["errorCode"] = "ResourceConflictException"
    unwanted[2]["detail"]["eventName"] = "PublishVersion20150331"
    entries = [
        {"Source": e["source"], "DetailType": e["detail-type"], "Detail": json.dumps(e["detail"])}
        for e in wanted + unwanted
    ]
    events.put_events(Entries=entries)
    received = []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        received += [json.loads(m["Body"])["detail"]["eventName"] for m in messages]
        sqs.delete_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
    assert sorted(received) == sorted(e["detail"]["eventName"] for e in wanted)


def test_lambda_handler_logs_outcome_without_tag_values(cp, tools, monkeypatch, capsys, context):
    monkeypatch.setenv("SFA_ENV", "test")
    monkeypatch.setenv("SFA_REGISTRAR_ALLOWED_PREFIXES", "*")  # test functions are named freely
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "SfnAgents")
    monkeypatch.setattr(registrar_handler, "_registrar", None)
    log_stream = io.StringIO()
    for h in registrar_handler.logger.handlers:
        monkeypatch.setattr(h, "stream", log_stream)
    cp.client("events").create_event_bus(Name="sfa-registry-test")
    m = manifest("logged_tool", "1.0.0", secrets=["api_key"])
    created = tools.create("tool-logged", m)
    out = registrar_handler.lambda_handler(
        cloudtrail_event("CreateFunction", created["FunctionArn"]), context
    )
    assert out["outcome"] == "registered"
    assert registrar_handler.lambda_handler({"source": "aws.s3", "detail-type": "x"}, context) == {
        "outcome": "ignored"
    }
    printed = log_stream.getvalue() + capsys.readouterr().out
    logs = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    sync_logs = [entry for entry in logs if entry.get("message") == "sync registered"]
    assert sync_logs, printed
    assert (sync_logs[0]["tool_name"], sync_logs[0]["target_function"]) == ("logged_tool", "tool-logged")
    assert sync_logs[0]["function_name"] == context.function_name  # Powertools' own key is untouched
    assert {"reread", "validate", "registry_read", "write"} <= set(sync_logs[0]["timings_ms"])
    for value in tags_for(m).values():
        if len(value) > 20:  # the encoded manifest parts and digest never reach the logs
            assert value not in printed
    assert any("Sync_registered" in json.dumps(entry) for entry in logs)  # EMF metrics
    monkeypatch.setattr(registrar_handler, "_registrar", None)
