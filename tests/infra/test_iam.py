"""Every role's statements, exactly (actions and resources), and the agent permissions boundary.

``*`` appears only for actions without resource-level permissions (X-Ray, tag:GetResources, log
delivery) — each acknowledged with its reason in the stacks.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from tests.infra.conftest import EXTRA_TOOL, Synth
from tests.infra.helpers import by_name, role_statements, statement_set

A = "arn:${Partition}"
REGION_ACCOUNT = "${Region}:${AccountId}"
XRAY = ("Allow", ("xray:PutTelemetryRecords", "xray:PutTraceSegments"), ("*",), None)


def logs(name: str) -> tuple[Any, ...]:
    return ("Allow", ("logs:CreateLogStream", "logs:PutLogEvents"), (f"</aws/lambda/{name}.Arn>",), None)


def send_to(queue: str) -> tuple[Any, ...]:
    return ("Allow", ("sqs:SendMessage",), (f"<{queue}.Arn>",), None)


def lam(name: str) -> str:
    return f"{A}:lambda:{REGION_ACCOUNT}:function:{name}"


def tool_versions(env: str) -> list[str]:
    """Every published version of the env's tools (``:1*`` … ``:9*``), never unqualified or ``:*``."""
    return [lam(f"tool-*-{env}:{digit}*") for digit in "123456789"]


def tool_registry(env: str, actions: tuple[str, ...]) -> list[tuple[Any, ...]]:
    table = f"<ToolRegistry-{env}.Arn>"
    return [
        ("Allow", actions, (table,), None),
        (
            "Allow",
            ("dynamodb:Query",),
            tuple(sorted(f"{table}/index/{i}" for i in ("by-language", "by-status", "by-tag"))),
            None,
        ),
    ]


READ = ("dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query")
READ_WRITE = (
    "dynamodb:BatchGetItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
)


def role_of(template: dict[str, Any], function_name: str) -> set[tuple[Any, ...]]:
    _, fn = by_name(template, "AWS::Lambda::Function", function_name)
    role_id = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    return statement_set(template, role_statements(template, role_id))


@pytest.fixture(scope="module")
def dev(platform: Synth) -> dict[str, Any]:
    return platform.templates["sfa-shared-dev"]


def publish(env: str) -> tuple[Any, ...]:
    return ("Allow", ("events:PutEvents",), (f"<sfa-registry-{env}.Arn>",), None)


# Reading any function (out-of-scope claims are reported), publishing the registered build as a
# Lambda version only in the registrar's scope (tool-*-{env} by default), re-checking held releases.
READ_FUNCTIONS = (
    "Allow",
    ("lambda:GetFunction", "lambda:ListTags", "lambda:ListVersionsByFunction"),
    (lam("*"),),
    None,
)
PUBLISH_VERSIONS = ("Allow", ("lambda:PublishVersion",), (lam("tool-*-dev"),), None)
SEND_RECHECK = ("Allow", ("sqs:SendMessage",), ("<sfa-registrar-dev-recheck.Arn>",), None)
RECEIVE_RECHECK = (
    "Allow",
    (
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
    ),
    ("<sfa-registrar-dev-recheck.Arn>",),
    None,
)


def test_registrar_role_exact(dev: dict[str, Any]) -> None:
    assert role_of(dev, "sfa-registrar-dev") == {
        logs("sfa-registrar-dev"),
        XRAY,
        send_to("sfa-registrar-dev-dlq"),
        READ_FUNCTIONS,
        PUBLISH_VERSIONS,
        *tool_registry("dev", READ_WRITE),
        publish("dev"),
        SEND_RECHECK,
        RECEIVE_RECHECK,  # the re-check queue's event source mapping
    }


def test_reconciler_role_exact(dev: dict[str, Any]) -> None:
    assert role_of(dev, "sfa-reconciler-dev") == {
        logs("sfa-reconciler-dev"),
        XRAY,
        send_to("sfa-reconciler-dev-dlq"),
        READ_FUNCTIONS,
        PUBLISH_VERSIONS,
        *tool_registry("dev", READ_WRITE),
        publish("dev"),
        SEND_RECHECK,
        ("Allow", ("tag:GetResources",), ("*",), None),
    }


def test_allowed_prefixes_set_the_publishing_scope(platform: Synth) -> None:
    ci = platform.templates["sfa-shared-ci"]
    for fn in ("sfa-registrar-ci", "sfa-reconciler-ci"):
        lambda_statements = {s for s in role_of(ci, fn) if s[1][0].startswith("lambda:")}
        assert lambda_statements == {
            READ_FUNCTIONS,  # reads stay account-wide: out-of-scope claims are reported, not failed
            ("Allow", ("lambda:PublishVersion",), (lam("team-a-*"), lam("tool-*")), None),
        }


def test_regenerator_role_exact(dev: dict[str, Any]) -> None:
    roles = f"{A}:iam::${{AccountId}}:role/agent-*-dev"
    machine = f"{A}:states:{REGION_ACCOUNT}:stateMachine:agent-*-dev"
    boundary = (("StringEquals", "iam:PermissionsBoundary", "sfa-agent-boundary-dev"),)
    assert role_of(dev, "sfa-regenerator-dev") == {
        logs("sfa-regenerator-dev"),
        XRAY,
        send_to("sfa-regenerator-dev-dlq"),
        *tool_registry("dev", READ),
        (
            "Allow",
            ("dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:UpdateItem"),
            ("<AgentRegistry-dev.Arn>",),
            None,
        ),
        (
            "Allow",
            (
                "states:CreateStateMachine",
                "states:CreateStateMachineAlias",
                "states:DeleteStateMachine",
                "states:DeleteStateMachineAlias",
                "states:DeleteStateMachineVersion",
                "states:DescribeStateMachine",
                "states:ListStateMachineVersions",
                "states:PublishStateMachineVersion",
                "states:TagResource",
                "states:UpdateStateMachine",
                "states:UpdateStateMachineAlias",
            ),
            (machine, f"{machine}:*"),
            None,
        ),
        (
            "Allow",
            (
                "iam:AttachRolePolicy",
                "iam:CreateRole",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:PutRolePolicy",
            ),
            (roles,),
            boundary,
        ),
        ("Allow", ("iam:DeleteRole", "iam:GetRole", "iam:TagRole"), (roles,), None),
        (
            "Allow",
            ("iam:CreatePolicy", "iam:DeletePolicy"),
            (f"{A}:iam::${{AccountId}}:policy/sfa-agents/agent-*-dev-????????????",),
            None,
        ),
        (
            "Allow",
            ("iam:PassRole",),
            (roles,),
            (("StringEquals", "iam:PassedToService", "states.amazonaws.com"),),
        ),
        publish("dev"),
        ("Allow", ("dynamodb:ListStreams",), ("<ToolRegistry-dev.StreamArn>",), None),
        (
            "Allow",
            ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
            ("<ToolRegistry-dev.StreamArn>",),
            None,
        ),
        ("Allow", ("dynamodb:ListStreams",), ("<AgentRegistry-dev.StreamArn>",), None),
        (
            "Allow",
            ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
            ("<AgentRegistry-dev.StreamArn>",),
            None,
        ),
    }


def test_create_role_requires_the_boundary(dev: dict[str, Any]) -> None:
    boundary_id, _ = by_name(dev, "AWS::IAM::ManagedPolicy", "sfa-agent-boundary-dev")
    Template.from_json(dev).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": Match.array_with(["iam:CreateRole"]),
                                "Effect": "Allow",
                                "Condition": {
                                    "StringEquals": {"iam:PermissionsBoundary": {"Ref": boundary_id}}
                                },
                            }
                        )
                    ]
                )
            }
        },
    )
    # ... and no statement grants iam:CreateRole (or any role write) without that condition
    writes = {"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"}
    for _, policy in Template.from_json(dev).find_resources("AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if writes & set(actions):
                assert statement["Condition"] == {
                    "StringEquals": {"iam:PermissionsBoundary": {"Ref": boundary_id}}
                }


def test_agent_boundary_caps_invoke_publish_child_runs_log(dev: dict[str, Any]) -> None:
    _, policy = by_name(dev, "AWS::IAM::ManagedPolicy", "sfa-agent-boundary-dev")
    assert statement_set(dev, policy["Properties"]["PolicyDocument"]["Statement"]) == {
        (
            "Allow",
            ("lambda:InvokeFunction",),
            tuple(sorted([*tool_versions("dev"), lam("sfa-llm-gateway-dev"), lam("sfa-llm-gateway-dev:*")])),
            None,
        ),
        publish("dev"),
        (
            "Allow",
            ("states:DescribeExecution", "states:StartExecution", "states:StopExecution"),
            tuple(
                sorted(
                    [
                        f"{A}:states:{REGION_ACCOUNT}:stateMachine:agent-*-dev",
                        f"{A}:states:{REGION_ACCOUNT}:stateMachine:agent-*-dev:*",
                        f"{A}:states:{REGION_ACCOUNT}:execution:agent-*-dev:*",
                    ]
                )
            ),
            None,
        ),
        (
            "Allow",
            ("events:DescribeRule", "events:PutRule", "events:PutTargets"),
            (f"{A}:events:{REGION_ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",),
            None,
        ),
        (
            "Allow",
            tuple(
                sorted(
                    f"logs:{a}"
                    for a in (
                        "CreateLogDelivery",
                        "DeleteLogDelivery",
                        "DescribeLogGroups",
                        "DescribeResourcePolicies",
                        "GetLogDelivery",
                        "ListLogDeliveries",
                        "PutResourcePolicy",
                        "UpdateLogDelivery",
                    )
                )
            ),
            ("*",),
            None,
        ),
    }


def test_agent_spec_provider_roles_exact(dev: dict[str, Any]) -> None:
    assert role_of(dev, "sfa-agent-specs-dev-handler") == {
        logs("sfa-agent-specs-dev-handler"),
        XRAY,
        ("Allow", ("dynamodb:GetItem", "dynamodb:UpdateItem"), ("<AgentRegistry-dev.Arn>",), None),
    }
    handler = "<sfa-agent-specs-dev-handler.Arn>"
    assert role_of(dev, "sfa-agent-specs-dev") == {
        logs("sfa-agent-specs-dev"),
        ("Allow", ("lambda:InvokeFunction",), tuple(sorted([handler, f"{handler}:*"])), None),
        ("Allow", ("lambda:GetFunction",), (handler,), None),
    }


def test_gateway_role_exact(platform: Synth) -> None:
    dev = platform.templates["sfa-llm-dev"]
    (secret,) = [s for s in role_of(dev, "sfa-llm-gateway-dev") if s[1] == ("secretsmanager:GetSecretValue",)]
    assert secret[2][0].startswith("import:sfa-shared-dev:ExportsOutputRefLlmSecret")
    describe = (
        "Allow",
        ("states:DescribeExecution",),
        (f"{A}:states:{REGION_ACCOUNT}:execution:agent-*-dev:*",),
        None,
    )
    definitions = (  # the tool set of the version (or, unqualified, the machine) a caller runs
        "Allow",
        ("states:DescribeStateMachine",),
        (
            f"{A}:states:{REGION_ACCOUNT}:stateMachine:agent-*-dev",
            f"{A}:states:{REGION_ACCOUNT}:stateMachine:agent-*-dev:*",
        ),
        None,
    )
    content = (
        "Allow",
        ("s3:GetObject", "s3:PutObject"),
        (f"{A}:s3:::sfa-content-${{AccountId}}-${{Region}}-dev/content/*",),
        None,
    )
    tools = ("Allow", ("lambda:InvokeFunction",), tuple(sorted(tool_versions("dev"))), None)
    assert role_of(dev, "sfa-llm-gateway-dev") == {
        logs("sfa-llm-gateway-dev"),
        XRAY,
        secret,
        describe,
        definitions,
        content,
        tools,
    }
    ci = platform.templates["sfa-llm-ci"]
    extra_versions = [f"{EXTRA_TOOL}:{d}*" for d in "123456789"]  # the extra function, by version too
    ci_tools = tuple(sorted([*tool_versions("ci"), *extra_versions]))
    assert ("Allow", ("lambda:InvokeFunction",), ci_tools, None) in role_of(ci, "sfa-llm-gateway-ci")
    bedrock = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
    assert (
        "Allow",
        bedrock,
        ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku",),
        None,
    ) in role_of(ci, "sfa-llm-gateway-ci")


def test_regenerator_statements_cover_every_call_it_makes(dev: dict[str, Any]) -> None:
    """Every ``self.sfn.<op>``/``self.iam.<op>`` call in control_plane.regenerator has its action."""
    import re
    from pathlib import Path

    source = "".join(
        p.read_text(encoding="utf-8")
        for p in (Path(__file__).resolve().parents[2] / "control_plane" / "regenerator").glob("*.py")
    )
    calls = set(re.findall(r"self\.(sfn|iam)\.([a-z_]+)", source))
    assert calls, "no calls found: did the regenerator's client attributes change?"
    needed = {
        ("states" if svc == "sfn" else "iam") + ":" + "".join(w.title() for w in op.split("_"))
        for svc, op in calls
    }
    granted = {a for s in role_of(dev, "sfa-regenerator-dev") for a in s[1]}
    assert needed <= granted, sorted(needed - granted)
