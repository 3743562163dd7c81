"""sfa-llm-{env}: the gateway function, SnapStart, the live alias, rollout."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.conftest import EXTRA_TOOL, Synth
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
    assert props["Timeout"] == 900  # covers the longest tool timeout (the tool invoker waits)
    assert props["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert props["Environment"]["Variables"] == {
        "SFA_ENV": "dev",
        "SFA_LLM_SECRET_NAME": "/ai-agent/llm-secrets/dev",
        "SFA_LLM_PRELOAD_PROVIDERS": "anthropic,openai,gemini",
        "POWERTOOLS_SERVICE_NAME": "sfa-llm-gateway",
        "POWERTOOLS_METRICS_NAMESPACE": "SfnAgents",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "SFA_CONTENT_BUCKET": {
            "Fn::Join": ["", ["sfa-content-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}, "-dev"]]
        },
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
    assert variables["SFA_EXTRA_TOOL_FUNCTION_ARNS"] == EXTRA_TOOL
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


def test_without_content_bucket_no_offload_grants() -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_secretsmanager as secretsmanager

    from infra.stacks.llm import SharedLlmProps, SharedLlmStack

    app = cdk.App(context={"sfa:bundling": "skip"})
    secrets = cdk.Stack(app, "secrets")
    secret = secretsmanager.Secret(secrets, "S")
    stack = SharedLlmStack(app, "llm", props=SharedLlmProps(llm_secret=secret, env="t", content_bucket=False))
    template = Template.from_stack(stack).to_json()
    assert "SFA_CONTENT_BUCKET" not in _gateway(template, "t")["Environment"]["Variables"]
    actions = str(
        [p["Properties"]["PolicyDocument"] for p in resources(template, "AWS::IAM::Policy").values()]
    )
    assert "s3:" not in actions and "lambda:InvokeFunction" not in actions
