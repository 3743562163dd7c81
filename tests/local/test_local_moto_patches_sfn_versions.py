"""ListStateMachineVersions and DeleteStateMachineVersion (local/moto_patches/_sfn_versions.py):
not implemented by moto, answered from its version dict with AWS's behaviour."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.testing import create_state_machine, wait_for_execution
from tests.local.helpers import output, pass_machine


def publish_versions(aws: Any, name: str, count: int) -> tuple[str, list[str]]:
    """A state machine with versions 1..count (version n outputs {"ran": "vn"}); (arn, version ARNs)."""
    created = create_state_machine(aws, name, pass_machine("v1"), publish=True)
    machine, versions = created["stateMachineArn"], [created["stateMachineVersionArn"]]
    sfn = aws.client("stepfunctions")
    for n in range(2, count + 1):
        versions.append(
            sfn.update_state_machine(
                stateMachineArn=machine, definition=json.dumps(pass_machine(f"v{n}")), publish=True
            )["stateMachineVersionArn"]
        )
    return machine, versions


def listed(sfn: Any, machine: str, **params: Any) -> list[str]:
    arns: list[str] = []
    while True:
        page = sfn.list_state_machine_versions(stateMachineArn=machine, **params)
        arns += [v["stateMachineVersionArn"] for v in page["stateMachineVersions"]]
        if "nextToken" not in page:
            return arns
        params["nextToken"] = page["nextToken"]


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_list_versions_newest_first_with_pagination(aws):
    sfn = aws.client("stepfunctions")
    machine, versions = publish_versions(aws, "listed", 5)
    first = sfn.list_state_machine_versions(stateMachineArn=machine)
    assert [v["stateMachineVersionArn"] for v in first["stateMachineVersions"]] == versions[::-1]
    assert all("creationDate" in v for v in first["stateMachineVersions"])
    assert "nextToken" not in first

    page = sfn.list_state_machine_versions(stateMachineArn=machine, maxResults=2)
    assert [v["stateMachineVersionArn"] for v in page["stateMachineVersions"]] == versions[:2:-1]
    assert listed(sfn, machine, maxResults=2) == versions[::-1]
    # deleting between pages (what a pruner does) neither skips nor repeats a version
    sfn.delete_state_machine_version(stateMachineVersionArn=versions[2])
    rest = sfn.list_state_machine_versions(stateMachineArn=machine, nextToken=page["nextToken"], maxResults=2)
    assert [v["stateMachineVersionArn"] for v in rest["stateMachineVersions"]] == [versions[1], versions[0]]


def test_list_versions_of_a_machine_without_versions_or_unknown_is_empty(aws):
    sfn = aws.client("stepfunctions")
    plain = create_state_machine(aws, "plain", pass_machine("x"))["stateMachineArn"]
    assert sfn.list_state_machine_versions(stateMachineArn=plain)["stateMachineVersions"] == []
    unknown = plain.replace(":plain", ":nobody")
    assert sfn.list_state_machine_versions(stateMachineArn=unknown)["stateMachineVersions"] == []


def test_list_versions_rejects_bad_tokens_page_sizes_and_arns(aws):
    sfn = aws.client("stepfunctions")
    machine, _ = publish_versions(aws, "strict", 3)
    other, _ = publish_versions(aws, "other", 3)
    token = sfn.list_state_machine_versions(stateMachineArn=other, maxResults=1)["nextToken"]
    for bad in ("not-a-token", token):  # garbage, and another machine's token
        with pytest.raises(ClientError) as exc:
            sfn.list_state_machine_versions(stateMachineArn=machine, nextToken=bad)
        assert error_of(exc)[0] == "InvalidToken"
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machine_versions(stateMachineArn=machine, maxResults=1001)
    assert error_of(exc)[0] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        sfn.list_state_machine_versions(stateMachineArn="arn:aws:lambda:us-east-1:123456789012:function:x")
    assert error_of(exc)[0] == "InvalidArn"


def test_deleted_version_is_gone_and_the_others_still_run(aws):
    sfn = aws.client("stepfunctions")
    machine, versions = publish_versions(aws, "pruned", 3)
    sfn.delete_state_machine_version(stateMachineVersionArn=versions[1])

    assert listed(sfn, machine) == [versions[2], versions[0]]
    with pytest.raises(ClientError) as exc:
        sfn.describe_state_machine(stateMachineArn=versions[1])
    assert error_of(exc)[0] == "StateMachineDoesNotExist"
    with pytest.raises(ClientError) as exc:
        sfn.start_execution(stateMachineArn=versions[1], name="on-deleted")
    assert error_of(exc)[0] == "StateMachineDoesNotExist"
    sfn.delete_state_machine_version(stateMachineVersionArn=versions[1])  # again: succeeds, as AWS
    ran = sfn.start_execution(stateMachineArn=versions[0], name="on-v1")["executionArn"]
    assert output(wait_for_execution(aws, ran)) == {"ran": "v1"}
    # numbers are never reused: deleting the newest and publishing again gives 4, not 3
    sfn.delete_state_machine_version(stateMachineVersionArn=versions[2])
    v4 = sfn.update_state_machine(
        stateMachineArn=machine, definition=json.dumps(pass_machine("v4")), publish=True
    )["stateMachineVersionArn"]
    assert v4 == f"{machine}:4" and listed(sfn, machine) == [v4, versions[0]]


def test_a_version_an_alias_routes_to_cannot_be_deleted(aws):
    sfn = aws.client("stepfunctions")
    machine, versions = publish_versions(aws, "aliased", 3)
    alias = sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[
            {"stateMachineVersionArn": versions[1], "weight": 90},
            {"stateMachineVersionArn": versions[2], "weight": 10},
        ],
    )["stateMachineAliasArn"]
    for routed in versions[1:]:
        with pytest.raises(ClientError) as exc:
            sfn.delete_state_machine_version(stateMachineVersionArn=routed)
        assert error_of(exc) == ("ConflictException", 409)
        assert alias in exc.value.response["Error"]["Message"]
    assert listed(sfn, machine) == versions[::-1]

    routing = [{"stateMachineVersionArn": versions[2], "weight": 100}]
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=routing)
    sfn.delete_state_machine_version(stateMachineVersionArn=versions[1])  # no longer routed to
    assert listed(sfn, machine) == [versions[2], versions[0]]


def test_delete_needs_a_version_arn(aws):
    sfn = aws.client("stepfunctions")
    machine, _ = publish_versions(aws, "unqualified", 1)
    with pytest.raises(ClientError) as exc:
        sfn.delete_state_machine_version(stateMachineVersionArn=machine)
    assert error_of(exc)[0] == "InvalidArn"


def test_moto_still_lacks_both_actions(aws):
    """Canary: stock moto has neither action (drop the patch when this fails)."""
    from moto.stepfunctions.responses import StepFunctionResponse

    from local import moto_patches
    from local.moto_patches._registry import MISSING

    for action in ("list_state_machine_versions", "delete_state_machine_version"):
        assert moto_patches._original(StepFunctionResponse, action) is MISSING
