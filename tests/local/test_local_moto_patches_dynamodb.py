"""DynamoDB quirks worked around in local/moto_patches/_dynamodb.py (and the stream pump)."""

from __future__ import annotations

import pytest


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
