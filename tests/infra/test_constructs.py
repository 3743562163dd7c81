"""ToolFunction, Agent, RegistrySubscription — through examples/cdk_app, plus their failure modes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from agent_templates import AgentSpecValidationError, load_agent_spec
from tests.infra.conftest import Synth
from tests.infra.helpers import by_name, render, resources
from tool_sdk import ManifestValidationError, encode_manifest_tags, load_manifest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STACK = "sfa-example-tools-dev"


@pytest.fixture(scope="module")
def tpl(example: Synth) -> dict[str, Any]:
    return example.templates[STACK]


@pytest.mark.parametrize(
    ("name", "folder", "runtime", "handler"),
    [
        ("tool-convert_units-dev", "convert_units", "python3.14", "handler.handler"),
        ("tool-text_stats-dev", "text_stats", "nodejs24.x", "index.handler"),
        ("tool-word_freq-dev", "word_freq", "nodejs24.x", "index.handler"),
    ],
)
def test_tool_functions_carry_their_manifest_tags(
    tpl: dict[str, Any], name: str, folder: str, runtime: str, handler: str
) -> None:
    manifest = load_manifest(EXAMPLES / "tools" / folder / "manifest.yaml")
    _, fn = by_name(tpl, "AWS::Lambda::Function", name)
    props = fn["Properties"]
    assert (props["Runtime"], props["Handler"], props["Architectures"]) == (runtime, handler, ["arm64"])
    assert props["Timeout"] == manifest.timeout_seconds
    tags = {t["Key"]: t["Value"] for t in props["Tags"]}
    expected = encode_manifest_tags(manifest)
    assert {k: v for k, v in tags.items() if k.startswith("agent-tool:")} == expected
    # only the function carries the manifest: not its role, not its log group
    for type_ in ("AWS::IAM::Role", "AWS::Logs::LogGroup"):
        for res in resources(tpl, type_).values():
            assert not any(t["Key"].startswith("agent-tool:") for t in res["Properties"].get("Tags", []))


def test_tool_role_is_logs_and_tracing_only(tpl: dict[str, Any]) -> None:
    from tests.infra.test_iam import XRAY, logs, role_of

    assert role_of(tpl, "tool-convert_units-dev") == {logs("tool-convert_units-dev"), XRAY}


def test_agent_declares_its_spec_through_the_platform_provider(tpl: dict[str, Any]) -> None:
    spec = load_agent_spec(EXAMPLES / "agents" / "trip-planner.yaml")
    (resource,) = resources(tpl, "Custom::SfaAgent").values()
    props = resource["Properties"]
    assert (
        render(tpl, props["ServiceToken"])
        == "arn:${Partition}:lambda:${Region}:${AccountId}:function:sfa-agent-specs-dev"
    )
    assert json.loads(props["SpecJson"]) == spec.canonical_dict()
    assert props["SpecSha256"] == spec.sha256()
    assert resource["DeletionPolicy"] == "Delete"
    # tools first, so the first rendering finds them
    assert len(resource["DependsOn"]) >= 2
    # no IAM for agents in the user's stack: the control plane owns the state machine and role
    Template.from_json(tpl).resource_count_is("AWS::StepFunctions::StateMachine", 0)
    assert len(resources(tpl, "AWS::IAM::Role")) == 3  # the three tools' roles


def test_subscription_routes_chosen_events(tpl: dict[str, Any]) -> None:
    Template.from_json(tpl).has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventBusName": "sfa-registry-dev",
            "EventPattern": {
                "source": ["sfn-agents.registry"],
                "detail-type": ["AgentRegenerated", "AgentRegenerationFailed"],
                "detail": {"agent_name": ["trip-planner"]},
            },
        },
    )


# -- failure modes and grants (constructs only: no synth) --------------------------------------------


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(context={"sfa:bundling": "skip"}), "T")


def _tool(stack: cdk.Stack, manifest: Path, **kwargs: Any) -> Any:
    from infra import ToolFunction

    return ToolFunction(
        stack,
        "Tool",
        manifest=manifest,
        code=lambda_.Code.from_inline("def handler(e, c): return e"),
        handler="index.handler",
        runtime=lambda_.Runtime.PYTHON_3_14,
        **kwargs,
    )


def test_invalid_manifest_fails_the_synth(tmp_path: Path) -> None:
    bad = tmp_path / "manifest.yaml"
    bad.write_text("name: 'not valid!'\nversion: one\ndescription: x\ninput_schema: {type: array}\n")
    with pytest.raises(ManifestValidationError) as info:
        _tool(_stack(), bad)
    text = str(info.value)
    assert "name" in text and "version" in text


def test_tool_secret_grant_and_naming(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(
        "name: weather\nversion: 1.0.0\ndescription: Weather.\n"
        "input_schema: {type: object, properties: {city: {type: string}}}\nsecrets: [API_KEY]\n"
    )
    stack = _stack()
    tool = _tool(stack, manifest, env="prod", tool_id="wx")
    assert tool.function_name == "tool-wx-prod"
    assert tool.secret is not None
    other = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    tool.grant_invoke(other)
    statements = Template.from_stack(stack).to_json()["Resources"]
    rendered = json.dumps(statements)
    assert ":secret:/ai-agent/tools/weather/prod-??????" in rendered
    with pytest.raises(ValueError, match="longer than 64"):
        _tool(_stack(), manifest, env="prod", tool_id="x" * 60)


def test_invalid_agent_spec_fails_the_synth() -> None:
    from infra import Agent

    with pytest.raises(AgentSpecValidationError) as info:
        Agent(_stack(), "A", spec={"name": "bad name", "model": "anthropic:claude", "max_turns": 0})
    assert "name" in str(info.value) and "max_turns" in str(info.value)


def test_agent_grants_use_conventional_arns() -> None:
    from infra import Agent

    stack = _stack()
    agent = Agent(stack, "A", spec={"name": "helper", "model": "offline:default"}, env="prod")
    role = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    agent.grant_start_execution(role)
    agent.grant_read(role)
    agent.grant_task_response(role)
    text = json.dumps(stack.resolve(agent.live_alias_arn))
    assert "stateMachine:agent-helper-prod:live" in text


def test_subscription_rejects_unknown_event_types() -> None:
    from infra import REGISTRY_EVENT_TYPES, RegistrySubscription

    assert "ToolRegistered" in REGISTRY_EVENT_TYPES
    with pytest.raises(ValueError, match="ToolExploded"):
        RegistrySubscription(_stack(), "S", event_types=["ToolExploded"])
