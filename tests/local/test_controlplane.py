"""The local control plane: any client's Lambda calls reach the registrar through the rule pattern."""

from __future__ import annotations

import json

import pytest

from control_plane.registry import ToolRegistry
from local.cloudtrail_pump import Chaos
from local.testing import build_zip, ensure_lambda_role
from tool_sdk import encode_manifest_tags, validate_manifest
from tool_sdk.tags import manifest_tag_keys


def manifest(name: str, version: str = "1.0.0", **extra):
    data = {
        "name": name,
        "version": version,
        "description": f"{name} does things.",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
        "tags": ["demo"],
        **extra,
    }
    return validate_manifest(data, portability=False)[0]


ECHO = {"app.py": "def handler(event, context):\n    return {'echo': event}\n"}


def registry(aws) -> ToolRegistry:
    return ToolRegistry("ToolRegistry-dev", aws.client("dynamodb"))


def test_plain_boto3_calls_register_update_and_deregister(aws, local_control_plane):
    lam = aws.client("lambda")
    lam.create_function(
        FunctionName="tool-echo-dev",
        Runtime="python3.12",
        Role=ensure_lambda_role(aws),
        Handler="app.handler",
        Code={"ZipFile": build_zip(ECHO)},
        Tags=encode_manifest_tags(manifest("echo")),
    )
    local_control_plane.settle()
    record = registry(aws).get("echo", "latest")
    assert record.version == "1.0.0"
    assert record.lambda_function_name == "tool-echo-dev"

    arn = lam.get_function(FunctionName="tool-echo-dev")["Configuration"]["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags=encode_manifest_tags(manifest("echo", "1.1.0")))
    local_control_plane.settle()
    assert registry(aws).get("echo", "latest").version == "1.1.0"

    tags = lam.list_tags(Resource=arn)["Tags"]
    lam.untag_resource(Resource=arn, TagKeys=manifest_tag_keys(tags))
    local_control_plane.settle()
    assert [r.status for r in registry(aws).history("echo")] == ["disabled", "disabled"]
    actions = local_control_plane.pump.stats.actions
    assert set(actions) == {"CreateFunction20150331", "TagResource20170331v2", "UntagResource20170331v2"}


def test_failed_calls_and_other_services_record_nothing(aws, local_control_plane):
    lam = aws.client("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.update_function_code(FunctionName="nope", ZipFile=build_zip(ECHO))
    aws.client("sqs").create_queue(QueueName="unrelated")
    local_control_plane.settle()
    assert local_control_plane.pump.stats.recorded == 0


def test_duplicates_and_reordering_still_converge(aws):
    from local.controlplane import LocalControlPlane

    plane = LocalControlPlane(
        aws, environ={"SFA_RELEASE_GRACE_SECONDS": "1"}, chaos=Chaos(duplicate=0.5, reorder=0.5, seed=3)
    ).start()
    try:
        lam = aws.client("lambda")
        for i in range(6):
            lam.create_function(
                FunctionName=f"tool-t{i}-dev",
                Runtime="python3.12",
                Role=ensure_lambda_role(aws),
                Handler="app.handler",
                Code={"ZipFile": build_zip(ECHO)},
                Tags=encode_manifest_tags(manifest(f"t{i}", f"1.{i}.0")),
            )
        plane.settle()
        stats = plane.pump.stats
        assert stats.duplicated > 0 and stats.reordered > 0
        assert sorted((r.name, r.version) for r in registry(aws).list(status="active")) == [
            (f"t{i}", f"1.{i}.0") for i in range(6)
        ]
    finally:
        plane.stop()


def test_reconciler_runs_as_a_lambda(aws, local_control_plane):
    summary = local_control_plane.reconcile()
    assert summary["errors"] == [] and json.dumps(summary)
