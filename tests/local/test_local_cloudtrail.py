"""The local CloudTrail recorder names the caller (``userIdentity``) as CloudTrail does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local.cloudtrail import CloudTrailRecorder
from local.testing import build_zip, ensure_lambda_role

CODE = build_zip({"app.py": "def handler(event, context):\n    return event\n"})


@pytest.fixture
def recorded(aws: Any) -> Iterator[list[dict[str, Any]]]:
    """The events the recorder hands to its sink while the test runs."""
    events: list[dict[str, Any]] = []
    unwrap = aws.wrap_app(
        lambda app: CloudTrailRecorder(app, events.append, account=aws.account_id, region=aws.region)
    )
    try:
        yield events
    finally:
        unwrap()


def create(client: Any, aws: Any, name: str) -> None:
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ensure_lambda_role(aws),
        Handler="app.handler",
        Code={"ZipFile": CODE},
    )


def test_unknown_keys_are_moto_s_default_user(aws, recorded):
    create(aws.client("lambda"), aws, "by-default")  # the emulator's dummy "testing" credentials
    [event] = recorded
    assert event["detail"]["userIdentity"] == {
        "type": "IAMUser",
        "arn": "arn:aws:iam::123456789012:user/moto",
        "accountId": "123456789012",
        "userName": "moto",
        "principalId": "moto-default-principal",
        "accessKeyId": "testing",
    }


def test_a_key_moto_issued_names_its_iam_user(aws, recorded):
    iam = aws.client("iam")
    user = iam.create_user(UserName="deployer", Path="/ci/")["User"]
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    deployer = boto3.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name=aws.region,
    ).client("lambda", endpoint_url=aws.endpoint_url)
    create(deployer, aws, "by-deployer")
    deployer.tag_resource(
        Resource=f"arn:aws:lambda:{aws.region}:{aws.account_id}:function:by-deployer", Tags={"a": "b"}
    )

    assert [e["detail"]["eventName"] for e in recorded] == ["CreateFunction20150331", "TagResource20170331v2"]
    for event in recorded:
        assert event["detail"]["userIdentity"] == {
            "type": "IAMUser",
            "arn": user["Arn"],  # arn:aws:iam::123456789012:user/ci/deployer
            "accountId": "123456789012",
            "userName": "deployer",
            "principalId": user["UserId"],
            "accessKeyId": key["AccessKeyId"],
        }
