"""sfa-llm-{env}: the gateway function, SnapStart, the live alias, rollout."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.conftest import Synth
from tests.infra.helpers import by_name, render, resources


def _gateway(template: dict[str, Any], env: str) -> dict[str, Any]:
    return by_name(template, "AWS::Lambda::Function", f"sfa-llm-gateway-{env}")[1]["Properties"]


def test_gateway_function(platform: Synth) -> None:
    dev = platform.templates["sfa-llm-dev"]
    props = _gateway(dev, "dev")
    assert props["Handler"] == "llm_gateway.handler.handler"
    assert props["Runtime"] == "python3.14"
    assert props["Architectures"] == ["arm64"]
    assert props["MemorySize"] == 1024
    assert props["Timeout"] == 300
    assert props["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert props["Environment"]["Variables"] == {
        "SFA_ENV": "dev",
        "SFA_LLM_SECRET_NAME": "/ai-agent/llm-secrets/dev",
        "SFA_LLM_PRELOAD_PROVIDERS": "anthropic,openai,gemini",
        "POWERTOOLS_SERVICE_NAME": "sfa-llm-gateway",
        "POWERTOOLS_METRICS_NAMESPACE": "SfnAgents",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    assert "ReservedConcurrentExecutions" not in props


def test_live_alias_points_at_the_published_version(platform: Synth) -> None:
    dev = platform.templates["sfa-llm-dev"]
    template = Template.from_json(dev)
    template.resource_count_is("AWS::Lambda::Version", 1)
    (version_id,) = resources(dev, "AWS::Lambda::Version")
    # superseded versions (and their SnapStart snapshots) are deleted once the alias moved
    assert resources(dev, "AWS::Lambda::Version")[version_id]["DeletionPolicy"] == "Delete"
    template.has_resource_properties(
        "AWS::Lambda::Alias",
        {"Name": "live", "FunctionVersion": {"Fn::GetAtt": [version_id, "Version"]}},
    )
    template.resource_count_is("AWS::CodeDeploy::DeploymentGroup", 0)
    alarms = {a["Properties"]["MetricName"] for a in resources(dev, "AWS::CloudWatch::Alarm").values()}
    assert alarms == {"Errors", "Throttles"}


def test_options_snapstart_off_canary_aliases(platform: Synth) -> None:
    ci = platform.templates["sfa-llm-ci"]
    props = _gateway(ci, "ci")
    assert "SnapStart" not in props
    variables = props["Environment"]["Variables"]
    assert variables["SFA_LLM_ALIASES"] == '{"fast": "anthropic:claude-haiku-4-5"}'
    assert variables["SFA_LLM_PRELOAD_PROVIDERS"] == "anthropic"
    template = Template.from_json(ci)
    template.has_resource_properties(
        "AWS::CodeDeploy::DeploymentGroup",
        {
            "DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            "AutoRollbackConfiguration": {
                "Enabled": True,
                "Events": Match.array_with(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]),
            },
            "AlarmConfiguration": Match.object_like({"Enabled": True}),
        },
    )
    template.has_resource(
        "AWS::Lambda::Alias",
        {"UpdatePolicy": Match.object_like({"CodeDeployLambdaAliasUpdate": Match.any_value()})},
    )


def test_gateway_reads_only_its_secret_from_the_shared_stack(platform: Synth) -> None:
    dev = platform.templates["sfa-llm-dev"]
    statements = [
        s
        for p in resources(dev, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in str(s["Action"])
    ]
    assert len(statements) == 1
    assert statements[0]["Action"] == "secretsmanager:GetSecretValue"
    assert render(dev, statements[0]["Resource"]).startswith("import:sfa-shared-dev:")
