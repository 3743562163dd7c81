"""sfa-shared-{env}: tables, bus, registrar rule, stream event sources, schedule, DLQs, alarms, trail."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from control_plane.registrar.trigger import REGISTRAR_EVENT_PATTERN
from control_plane.registry.table import agent_registry_table_spec, tool_registry_table_spec
from tests.infra.conftest import Synth
from tests.infra.helpers import by_name, render, resources


@pytest.fixture(scope="module")
def dev(platform: Synth) -> dict[str, Any]:
    return platform.templates["sfa-shared-dev"]


@pytest.fixture(scope="module")
def ci(platform: Synth) -> dict[str, Any]:
    return platform.templates["sfa-shared-ci"]


def test_tool_registry_keys_indexes_stream_pitr(dev: dict[str, Any]) -> None:
    Template.from_json(dev).has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {
            "TableName": "ToolRegistry-dev",
            "KeySchema": [
                {"AttributeName": "tool_name", "KeyType": "HASH"},
                {"AttributeName": "version", "KeyType": "RANGE"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by-language",
                    "KeySchema": [
                        {"AttributeName": "gsi_language", "KeyType": "HASH"},
                        {"AttributeName": "tool_name", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "by-tag",
                    "KeySchema": [
                        {"AttributeName": "gsi_tag", "KeyType": "HASH"},
                        {"AttributeName": "tool_name", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "by-status",
                    "KeySchema": [
                        {"AttributeName": "gsi_status", "KeyType": "HASH"},
                        {"AttributeName": "gsi_updated", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
            ],
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS"},
            "Replicas": [
                Match.object_like(
                    {
                        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                        "DeletionProtectionEnabled": True,
                    }
                )
            ],
        },
    )


@pytest.mark.parametrize("spec_fn", [tool_registry_table_spec, agent_registry_table_spec])
def test_tables_equal_the_control_plane_specs(dev: dict[str, Any], spec_fn: Any) -> None:
    """Keys, attribute types and indexes come from control_plane.registry.table, nothing else."""
    spec = spec_fn("dev")
    _, table = by_name(dev, "AWS::DynamoDB::GlobalTable", spec["TableName"])
    props = table["Properties"]
    assert props["KeySchema"] == spec["KeySchema"]
    assert sorted(props["AttributeDefinitions"], key=str) == sorted(spec["AttributeDefinitions"], key=str)
    assert props.get("GlobalSecondaryIndexes", []) == spec.get("GlobalSecondaryIndexes", [])
    assert props["StreamSpecification"]["StreamViewType"] == spec["StreamSpecification"]["StreamViewType"]
    assert table["DeletionPolicy"] == "Retain"


def test_agent_registry_key(dev: dict[str, Any]) -> None:
    Template.from_json(dev).has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {
            "TableName": "AgentRegistry-dev",
            "KeySchema": [{"AttributeName": "agent_name", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "Replicas": [
                Match.object_like({"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
            ],
        },
    )


def test_registrar_rule_matches_lambda_cloudtrail_calls(dev: dict[str, Any]) -> None:
    pattern = {
        "source": ["aws.lambda"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["lambda.amazonaws.com"],
            "eventName": [
                "CreateFunction",
                {"prefix": "CreateFunction20"},
                "UpdateFunctionCode",
                {"prefix": "UpdateFunctionCode20"},
                "UpdateFunctionConfiguration",
                {"prefix": "UpdateFunctionConfiguration20"},
                "TagResource",
                {"prefix": "TagResource20"},
                "UntagResource",
                {"prefix": "UntagResource20"},
                "DeleteFunction",
                {"prefix": "DeleteFunction20"},
            ],
            "errorCode": [{"exists": False}],
        },
    }
    assert pattern == REGISTRAR_EVENT_PATTERN  # the contract, spelled out
    template = Template.from_json(dev)
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "Name": "sfa-registrar-dev-lambda-api-calls",
            "EventPattern": pattern,
            "State": "ENABLED",
            "EventBusName": Match.absent(),  # CloudTrail events arrive on the default bus
            "Targets": [
                Match.object_like(
                    {
                        "RetryPolicy": {"MaximumRetryAttempts": 16, "MaximumEventAgeInSeconds": 21600},
                        "DeadLetterConfig": Match.any_value(),
                    }
                )
            ],
        },
    )
    _, rule = by_name(dev, "AWS::Events::Rule", "sfa-registrar-dev-lambda-api-calls")
    target = rule["Properties"]["Targets"][0]
    assert render(dev, target["Arn"]) == "<sfa-registrar-dev.Arn>"
    assert render(dev, target["DeadLetterConfig"]["Arn"]) == "<sfa-registrar-dev-dlq.Arn>"


@pytest.mark.parametrize(("table", "present"), [("ToolRegistry-dev", True), ("AgentRegistry-dev", True)])
def test_regenerator_stream_sources(dev: dict[str, Any], table: str, present: bool) -> None:
    mappings = [
        m["Properties"]
        for m in resources(dev, "AWS::Lambda::EventSourceMapping").values()
        if render(dev, m["Properties"]["EventSourceArn"]) == f"<{table}.StreamArn>"
    ]
    assert len(mappings) == int(present)
    (props,) = mappings
    assert render(dev, props["FunctionName"]) == "sfa-regenerator-dev"
    assert (
        render(dev, props["DestinationConfig"]["OnFailure"]["Destination"]) == "<sfa-regenerator-dev-dlq.Arn>"
    )
    expected = {
        "StartingPosition": "TRIM_HORIZON",
        "BatchSize": 10,
        "BisectBatchOnFunctionError": True,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "MaximumRetryAttempts": 5,
        "MaximumRecordAgeInSeconds": 21600,
        "ParallelizationFactor": 1,
    }
    assert {k: props.get(k) for k in expected} == expected


def test_render_options_reach_the_regenerator(dev: dict[str, Any], ci: dict[str, Any]) -> None:
    from agent_templates import RenderOptions

    def variables(template: dict[str, Any], env: str) -> dict[str, Any]:
        _, fn = by_name(template, "AWS::Lambda::Function", f"sfa-regenerator-{env}")
        return fn["Properties"]["Environment"]["Variables"]

    assert "SFA_AGENT_RENDER_OPTIONS" not in variables(dev, "dev")
    raw = variables(ci, "ci")["SFA_AGENT_RENDER_OPTIONS"]
    assert RenderOptions.model_validate_json(raw).tool_concurrency == 4


def test_ci_feeds_only_the_tool_stream(ci: dict[str, Any]) -> None:
    sources = [
        render(ci, m["Properties"]["EventSourceArn"])
        for m in resources(ci, "AWS::Lambda::EventSourceMapping").values()
    ]
    # the registrar's re-check queue, and the tool registry's stream (not the agent registry's)
    assert sorted(sources) == ["<ToolRegistry-ci.StreamArn>", "<sfa-registrar-ci-recheck.Arn>"]


def test_reconciler_schedule_and_async_failure_handling(dev: dict[str, Any]) -> None:
    template = Template.from_json(dev)
    template.has_resource_properties(
        "AWS::Events::Rule",
        {"Name": "sfa-reconciler-dev-schedule", "ScheduleExpression": "rate(1 hour)"},
    )
    configs = {
        render(dev, c["Properties"]["FunctionName"]): c["Properties"]
        for c in resources(dev, "AWS::Lambda::EventInvokeConfig").values()
    }
    assert configs["sfa-registrar-dev"]["MaximumRetryAttempts"] == 2
    assert configs["sfa-reconciler-dev"]["MaximumRetryAttempts"] == 0
    for name, props in configs.items():
        assert render(dev, props["DestinationConfig"]["OnFailure"]["Destination"]) == f"<{name}-dlq.Arn>"


def test_functions_are_arm64_python_with_bundled_code(dev: dict[str, Any]) -> None:
    names = {
        "sfa-registrar-dev": "control_plane.registrar.handler.lambda_handler",
        "sfa-reconciler-dev": "control_plane.reconciler.handler.lambda_handler",
        "sfa-regenerator-dev": "control_plane.regenerator.handler.handler",
        "sfa-agent-specs-dev-handler": "control_plane.agents.custom_resource.on_event",
    }
    for name, handler in names.items():
        _, fn = by_name(dev, "AWS::Lambda::Function", name)
        props = fn["Properties"]
        assert props["Handler"] == handler
        assert props["Architectures"] == ["arm64"]
        assert props["Runtime"] == "python3.14"
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert render(dev, props["LoggingConfig"]["LogGroup"]) == f"/aws/lambda/{name}"
    regen = by_name(dev, "AWS::Lambda::Function", "sfa-regenerator-dev")[1]["Properties"]
    variables = regen["Environment"]["Variables"]
    assert variables["SFA_GATEWAY_FUNCTION_ARN"] == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":lambda:", {"Ref": "AWS::Region"}, ":",
             {"Ref": "AWS::AccountId"}, ":function:sfa-llm-gateway-dev:live"],
        ]
    }  # fmt: skip
    assert render(dev, variables["SFA_AGENT_BOUNDARY_POLICY_ARN"]) == "sfa-agent-boundary-dev"
    assert variables["SFA_REGENERATOR_LEASE_SECONDS"] == "360"
    assert variables["SFA_TOOL_REGISTRY_TABLE"] == {
        "Ref": by_name(dev, "AWS::DynamoDB::GlobalTable", "ToolRegistry-dev")[0]
    }


def test_dlqs_are_encrypted_tls_only_and_alarmed(dev: dict[str, Any]) -> None:
    every = resources(dev, "AWS::SQS::Queue")
    assert sorted(
        q["Properties"]["QueueName"] for q in every.values() if "-dlq" not in q["Properties"]["QueueName"]
    ) == ["sfa-registrar-dev-recheck"]
    queues = {k: q for k, q in every.items() if q["Properties"]["QueueName"].endswith("-dlq")}
    names = sorted(q["Properties"]["QueueName"] for q in queues.values())
    assert names == [
        "sfa-reconciler-dev-dlq",
        "sfa-regenerator-dev-dlq",
        "sfa-registrar-dev-dlq",
        "sfa-registrar-dev-recheck-dlq",
    ]
    for queue in every.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    for queue in queues.values():
        assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 86400
    alarmed = {
        render(dev, d["Value"])
        for a in resources(dev, "AWS::CloudWatch::Alarm").values()
        for d in a["Properties"].get("Dimensions", [])
        if d["Name"] in ("QueueName", "FunctionName")
    }
    assert {f"<{n}.QueueName>" for n in names} <= alarmed
    assert {
        "sfa-registrar-dev",
        "sfa-reconciler-dev",
        "sfa-regenerator-dev",
        "sfa-agent-specs-dev-handler",
    } <= alarmed
    Template.from_json(dev).has_resource_properties(
        "AWS::CloudWatch::Alarm", {"MetricName": "IteratorAge", "Threshold": 300000}
    )


def test_bus_archive_and_secrets(dev: dict[str, Any], ci: dict[str, Any]) -> None:
    template = Template.from_json(dev)
    template.has_resource_properties("AWS::Events::EventBus", {"Name": "sfa-registry-dev"})
    template.has_resource_properties(
        "AWS::Events::Archive", {"RetentionDays": 30, "EventPattern": {"source": ["sfn-agents.registry"]}}
    )
    Template.from_json(ci).resource_count_is("AWS::Events::Archive", 0)
    secrets = {s["Properties"]["Name"]: s for s in resources(dev, "AWS::SecretsManager::Secret").values()}
    assert sorted(secrets) == ["/ai-agent/infrastructure/dev", "/ai-agent/llm-secrets/dev"]
    assert all(
        s["DeletionPolicy"] == "Retain" and s["Properties"]["SecretString"] == "{}" for s in secrets.values()
    )


def test_trail_only_when_asked(dev: dict[str, Any], ci: dict[str, Any]) -> None:
    Template.from_json(dev).resource_count_is("AWS::CloudTrail::Trail", 0)
    trail = Template.from_json(ci)
    trail.resource_count_is("AWS::CloudTrail::Trail", 1)
    trail.has_resource_properties(
        "AWS::CloudTrail::Trail",
        {
            "TrailName": "sfa-lambda-api-ci",
            "IsLogging": True,
            "IsMultiRegionTrail": False,
            "EnableLogFileValidation": True,
            "EventSelectors": [
                Match.object_like({"IncludeManagementEvents": True, "ReadWriteType": "WriteOnly"})
            ],
        },
    )
