"""One test per moto quirk worked around in local/moto_patches.py (and the stream pump)."""

from __future__ import annotations

import json
import time

import pytest

from local import moto_patches
from local.testing import create_state_machine, wait_for_execution


def pass_machine(marker: str) -> dict:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": {"ran": marker}, "End": True}},
    }


def output(described: dict) -> dict:
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])


def test_apply_is_idempotent(aws):
    assert moto_patches.is_applied()
    before = list(moto_patches._originals)
    moto_patches.apply(moto_patches._state["runner"], moto_patches._state["pump"])
    assert moto_patches._originals == before


def test_unnamed_executions_get_unique_names(aws):
    """Quirk (a): without `name`, moto named executions 'None' and the second start collided."""
    sfn = aws.client("stepfunctions")
    arn = create_state_machine(aws, "unnamed", pass_machine("x"))["stateMachineArn"]
    first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    second = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert first != second and not first.endswith(":None")
    assert output(wait_for_execution(aws, second)) == {"ran": "x"}


def test_alias_and_version_arns_run_the_pinned_definition(aws):
    """Quirk (b): StartExecution on an alias failed and on a version crashed in moto."""
    sfn = aws.client("stepfunctions")
    created = create_state_machine(aws, "agent", pass_machine("v1"), publish=True)
    machine, v1 = created["stateMachineArn"], created["stateMachineVersionArn"]
    v2 = sfn.update_state_machine(
        stateMachineArn=machine, definition=json.dumps(pass_machine("v2")), publish=True
    )["stateMachineVersionArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(pass_machine("latest")))
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]

    def run(arn: str) -> dict:
        return wait_for_execution(aws, sfn.start_execution(stateMachineArn=arn)["executionArn"])

    on_alias = run(alias)
    assert output(on_alias) == {"ran": "v1"}  # the aliased version, not the latest definition
    assert on_alias["stateMachineArn"] == machine
    assert on_alias["stateMachineVersionArn"] == v1
    assert on_alias["stateMachineAliasArn"] == alias
    assert output(run(v2)) == {"ran": "v2"}
    assert output(run(machine)) == {"ran": "latest"}

    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}]
    )
    assert output(run(alias)) == {"ran": "v2"}  # moving the alias moves new runs
    listed = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert len(listed) == 4


QUOTES = 'She said "stop" \\ then C:\\path\\n, a tab\t, emoji 😀 and {"json": true}'


def test_string_variables_with_quotes_and_backslashes(aws):
    """Quirk (c): moto inlined top-level string variables unescaped into the next expression."""
    sfn = aws.client("stepfunctions")
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Remember",
        "States": {
            "Remember": {
                "Type": "Pass",
                "Assign": {
                    "prompt": "{% $states.input.prompt %}",
                    "nested": {"p": "{% $states.input.prompt %}"},
                },
                "Next": "Use",
            },
            "Use": {
                "Type": "Pass",
                "End": True,
                "Output": {
                    "prompt": "{% $prompt %}",
                    "length": "{% $length($prompt) %}",
                    "nested": "{% $nested.p %}",
                },
            },
        },
    }
    arn = create_state_machine(aws, "quotes", definition)["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"prompt": QUOTES}))
    out = output(wait_for_execution(aws, started["executionArn"]))
    assert out == {"prompt": QUOTES, "length": len(QUOTES), "nested": QUOTES}


def test_moto_encoding_quirk_still_exists_upstream():
    """Canary: moto's own encoder still breaks on quotes (drop the patch when this fails)."""
    import jsonata
    from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata

    original = dict((n, o) for owner, n, o in moto_patches._originals if owner is moto_jsonata)
    encode = original.get(
        "encode_jsonata_variable_declarations", moto_jsonata.encode_jsonata_variable_declarations
    )
    with pytest.raises(Exception):  # noqa: B017 (jsonata-python raises plain exceptions)
        jsonata.Jsonata("(" + encode({"$p": 'a "b"'}) + "$p)").evaluate(None)


def test_send_task_failure_keeps_cause(aws):
    """Quirk (d): moto's SendTaskFailure handler dropped `cause`."""
    sfn, sqs = aws.client("stepfunctions"), aws.client("sqs")
    queue = sqs.create_queue(QueueName="approvals")["QueueUrl"]
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Arguments": {"QueueUrl": queue, "MessageBody": "{% $states.context.Task.Token %}"},
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Next": "Denied", "Output": "{% $states.errorOutput %}"}
                ],
                "End": True,
            },
            "Denied": {"Type": "Pass", "End": True},
        },
    }
    arn = create_state_machine(aws, "approval", definition)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    deadline = time.monotonic() + 10
    messages: list = []
    while not messages:
        assert time.monotonic() < deadline, "the task token never arrived"
        messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages", [])
    sfn.send_task_failure(taskToken=messages[0]["Body"], error="Denied", cause="a human said no")
    assert output(wait_for_execution(aws, execution)) == {"Error": "Denied", "Cause": "a human said no"}


def test_jsonata_uuid_and_hash_return_real_values(aws):
    """jsonata-python lacks $uuid/$hash and moto declared them as 'not supported' strings."""
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "End": True,
                "Output": {
                    "u1": "{% $uuid() %}",
                    "u2": "{% $uuid() %}",
                    "sha256": "{% $hash($states.input.text, 'SHA-256') %}",
                    "md5": "{% $hash('abc', 'MD5') %}",
                    "sha1": "{% $hash('abc', 'SHA-1') %}",
                    "sha512": "{% $hash('abc', 'SHA-512') %}",
                },
            }
        },
    }
    arn = create_state_machine(aws, "fns", definition)["stateMachineArn"]
    sfn = aws.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"text": "hello"}))
    out = output(wait_for_execution(aws, started["executionArn"]))
    uuid_v4 = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    import re

    assert re.match(uuid_v4, out["u1"]) and re.match(uuid_v4, out["u2"])
    assert out["u1"] != out["u2"]
    assert out["sha256"] == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert out["md5"] == "900150983cd24fb0d6963f7d28e17f72"
    assert out["sha1"] == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert out["sha512"].startswith("ddaf35a193617aba") and len(out["sha512"]) == 128


def test_jsonata_hash_with_a_bad_algorithm_fails_the_state(aws):
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "End": True, "Output": "{% $hash('abc', 'CRC32') %}"}},
    }
    arn = create_state_machine(aws, "badhash", definition)["stateMachineArn"]
    started = aws.client("stepfunctions").start_execution(stateMachineArn=arn)
    assert wait_for_execution(aws, started["executionArn"])["status"] == "FAILED"


def test_stream_records_reach_mapped_lambda_without_loss(aws, make_function, sources, tmp_path):
    """moto delivered stream records synchronously and cleared the shard after any answer."""
    ddb = aws.client("dynamodb")
    key = {
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    stream_arn = ddb.create_table(
        TableName="registry",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        **key,
    )["TableDescription"]["LatestStreamArn"]
    ddb.create_table(TableName="seen", **key)
    make_function(
        "consumer",
        sources("python_app"),
        "app.stream_consumer",
        "python3.12",
        env={"TABLE": "seen", "FAIL_PK": "b", "MARKER_DIR": str(tmp_path)},
    )
    aws.client("lambda").create_event_source_mapping(
        EventSourceArn=stream_arn,
        FunctionName="consumer",
        StartingPosition="TRIM_HORIZON",
        BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    for pk in ("a", "b", "c"):
        ddb.put_item(TableName="registry", Item={"pk": {"S": pk}})
    aws.wait_for_streams(timeout=20)
    seen = sorted(i["pk"]["S"] for i in ddb.scan(TableName="seen")["Items"])
    assert seen == ["seen#a", "seen#b", "seen#c"]  # "b" failed once and was redelivered
    assert (tmp_path / "failed-b").exists()

    streams = aws.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert len(records) == 3 and len(set(numbers)) == 3  # still readable, no reused numbers


def test_transact_write_items_copies_each_table_once_and_still_rolls_back(aws, monkeypatch):
    import copy

    ddb = aws.client("dynamodb")
    ddb.create_table(
        TableName="tx",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    copies: list[str] = []
    real = copy.deepcopy

    def counting(obj, memo=None):
        if memo is None and type(obj).__name__ == "Table":
            copies.append(obj.name)
        return real(obj, memo)

    monkeypatch.setattr(copy, "deepcopy", counting)  # the patch's shim calls copy.deepcopy
    ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": "tx", "Item": {"pk": {"S": str(i)}}}} for i in range(6)]
    )
    monkeypatch.setattr(copy, "deepcopy", real)
    assert copies == ["tx"]  # stock moto: six copies
    # A failing transaction still restores the backup: nothing of it is written.
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "tx", "Item": {"pk": {"S": "new"}}}},
                {
                    "Put": {
                        "TableName": "tx",
                        "Item": {"pk": {"S": "0"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    assert "Item" not in ddb.get_item(TableName="tx", Key={"pk": {"S": "new"}})


def _parent_child(aws, resource: str, output: str) -> tuple[str, str]:
    """A child that echoes its input, and a parent that starts it with the `states:` integration."""
    child = create_state_machine(
        aws,
        "child",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Echo",
            "States": {"Echo": {"Type": "Pass", "Output": {"got": "{% $states.input %}"}, "End": True}},
        },
    )["stateMachineArn"]
    parent = {
        "QueryLanguage": "JSONata",
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": resource,
                "Arguments": {
                    "StateMachineArn": child,
                    "Name": "{% $states.input.name %}",
                    "Input": {"turns": "{% $states.input.turns %}"},
                },
                "Output": output,
                "End": True,
            }
        },
    }
    return create_state_machine(aws, "parent", parent)["stateMachineArn"], child


@pytest.fixture
def stock_sfn_integration():
    """moto's own `states:` integration seams, for the duration of one test (then the patch again)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_sfn as sfn_task,
    )

    cls = sfn_task.StateTaskServiceSfn
    patched = {name: cls.__dict__[name] for name in ("_normalise_parameters", "_normalise_response")}
    for name in patched:
        setattr(cls, name, moto_patches._original(cls, name))
    yield
    for name, value in patched.items():
        setattr(cls, name, value)


SYNC = "arn:aws:states:::states:startExecution.sync:2"
SYNC_OUTPUT = (
    "{% {'status': $states.result.Status, 'output': $states.result.Output, "
    "'arn': $states.result.ExecutionArn, 'started': $type($states.result.StartDate)} %}"
)


def test_start_execution_sync_takes_and_returns_pascal_case(aws):
    """Quirk (f): `startExecution.sync:2` sent PascalCase arguments to boto3 and read PascalCase
    results from its camelCase response; AWS takes and returns the API's PascalCase names."""
    sfn = aws.client("stepfunctions")
    parent, child = _parent_child(aws, SYNC, SYNC_OUTPUT)
    started = sfn.start_execution(stateMachineArn=parent, input=json.dumps({"name": "run-c1", "turns": 7}))
    out = output(wait_for_execution(aws, started["executionArn"]))
    child_execution = child.replace(":stateMachine:", ":execution:") + ":run-c1"
    assert out == {
        "status": "SUCCEEDED",
        "output": {"got": {"turns": 7}},  # .sync:2: the child's output as JSON, not a string
        "arn": child_execution,
        "started": "string",  # timestamps serialised (a datetime would not survive state data)
    }
    assert output(sfn.describe_execution(executionArn=child_execution)) == {"got": {"turns": 7}}


def test_start_execution_fire_and_forget_returns_the_execution_arn(aws):
    parent, child = _parent_child(
        aws, "arn:aws:states:::states:startExecution", "{% {'arn': $states.result.ExecutionArn} %}"
    )
    sfn = aws.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=parent, input=json.dumps({"name": "async-c1", "turns": 1}))
    assert output(wait_for_execution(aws, started["executionArn"])) == {
        "arn": child.replace(":stateMachine:", ":execution:") + ":async-c1"
    }


def test_without_the_patch_start_execution_sync_fails(aws, stock_sfn_integration):
    """Canary: stock moto still fails this parent (drop the patch when this test fails)."""
    sfn = aws.client("stepfunctions")
    parent, _ = _parent_child(aws, SYNC, SYNC_OUTPUT)
    started = sfn.start_execution(stateMachineArn=parent, input=json.dumps({"name": "stock-c1", "turns": 7}))
    described = wait_for_execution(aws, started["executionArn"])
    assert described["status"] == "FAILED", described
    # botocore's serializer got `StateMachineArn` where it expects `stateMachineArn`
    assert described["error"] == "States.Runtime" and "'StateMachineArn'" in described["cause"]
