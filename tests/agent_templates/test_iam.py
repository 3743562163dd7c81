"""IAM statements derived from the same inputs as the definition."""

from __future__ import annotations

from agent_templates import RenderOptions, definition_policy_statements, invoked_function_arns
from tests.agent_templates.helpers import GATEWAY_ARN, lambda_arn, make_spec, make_tool


def test_statements_cover_gateway_tools_and_approval_bus() -> None:
    tools = [
        make_tool("b", human_approval_required=True),
        make_tool("a", lambda_arn=lambda_arn("tool-a-dev") + ":4"),
    ]
    statements = definition_policy_statements(
        make_spec(), tools, GATEWAY_ARN, options=RenderOptions(env="prod")
    )
    invoke, publish = statements
    assert invoke["Action"] == "lambda:InvokeFunction"
    assert invoke["Resource"] == sorted(
        [
            GATEWAY_ARN,
            GATEWAY_ARN + ":*",
            lambda_arn("tool-a-dev") + ":4",
            lambda_arn("tool-b-dev"),
            lambda_arn("tool-b-dev") + ":*",
        ]
    )
    assert publish == {
        "Sid": "PublishApprovalRequests",
        "Effect": "Allow",
        "Action": "events:PutEvents",
        "Resource": ["arn:aws:events:us-east-1:123456789012:event-bus/sfa-registry-prod"],
    }
    assert invoked_function_arns(make_spec(), tools, GATEWAY_ARN) == sorted(
        [GATEWAY_ARN, lambda_arn("tool-a-dev") + ":4", lambda_arn("tool-b-dev")]
    )


def test_no_bus_permission_without_approval_tools() -> None:
    statements = definition_policy_statements(make_spec(), [make_tool("a")], GATEWAY_ARN)
    assert [s["Sid"] for s in statements] == ["InvokeGatewayAndTools"]
    policy_all = definition_policy_statements(make_spec(approval="all"), [make_tool("a")], GATEWAY_ARN)
    assert [s["Sid"] for s in policy_all] == ["InvokeGatewayAndTools", "PublishApprovalRequests"]
