"""IAM statements derived from the same inputs as the definition."""

from __future__ import annotations

from agent_templates import RenderOptions, definition_policy_statements, invoked_function_arns
from tests.agent_templates.helpers import GATEWAY_ARN, make_spec, make_tool, tool_arn

CHAIN_SIDS = ["ContinueInChildExecution", "FollowChildExecutions", "SyncExecutionEvents"]


def test_statements_cover_gateway_tools_and_approval_bus() -> None:
    tools = [
        make_tool("b", human_approval_required=True),
        make_tool("a", lambda_arn=tool_arn("tool-a-dev", 4)),
    ]
    direct = RenderOptions(env="prod", offload=False)
    statements = definition_policy_statements(make_spec(), tools, GATEWAY_ARN, options=direct)
    invoke, *chain, publish = statements
    assert invoke["Action"] == "lambda:InvokeFunction"
    assert invoke["Resource"] == sorted(
        [
            GATEWAY_ARN,
            GATEWAY_ARN + ":*",  # the gateway (platform code, here unqualified) is not a tool
            tool_arn("tool-a-dev", 4),
            tool_arn("tool-b-dev"),  # tools: exactly the published version, no ":*"
        ]
    )
    assert [s["Sid"] for s in chain] == CHAIN_SIDS
    assert publish == {
        "Sid": "PublishApprovalRequests",
        "Effect": "Allow",
        "Action": "events:PutEvents",
        "Resource": ["arn:aws:events:us-east-1:123456789012:event-bus/sfa-registry-prod"],
    }
    assert invoked_function_arns(make_spec(), tools, GATEWAY_ARN, options=direct) == sorted(
        [GATEWAY_ARN, tool_arn("tool-a-dev", 4), tool_arn("tool-b-dev")]
    )


def test_the_role_may_start_its_own_children() -> None:
    tools = [make_tool("a")]
    statements = definition_policy_statements(make_spec(name="demo"), tools, GATEWAY_ARN)
    invoke, start, follow, sync = statements
    tool = tool_arn("tool-a-dev")
    assert invoke["Resource"] == sorted([GATEWAY_ARN, GATEWAY_ARN + ":*", tool])
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:agent-demo-dev"
    assert start == {
        "Sid": "ContinueInChildExecution",
        "Effect": "Allow",
        "Action": "states:StartExecution",
        "Resource": [machine, machine + ":*"],
    }
    assert follow["Action"] == ["states:DescribeExecution", "states:StopExecution"]
    assert follow["Resource"] == ["arn:aws:states:us-east-1:123456789012:execution:agent-demo-dev:*"]
    assert sync["Resource"] == [
        "arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
    ]
    assert invoked_function_arns(make_spec(), tools, GATEWAY_ARN) == sorted([GATEWAY_ARN, tool])


def test_no_bus_permission_without_approval_tools() -> None:
    statements = definition_policy_statements(make_spec(), [make_tool("a")], GATEWAY_ARN)
    assert [s["Sid"] for s in statements] == ["InvokeGatewayAndTools", *CHAIN_SIDS]
    policy_all = definition_policy_statements(make_spec(approval="all"), [make_tool("a")], GATEWAY_ARN)
    assert [s["Sid"] for s in policy_all] == ["InvokeGatewayAndTools", *CHAIN_SIDS, "PublishApprovalRequests"]


def test_an_alias_qualified_gateway_is_granted_exactly() -> None:
    gateway = GATEWAY_ARN + ":live"
    invoke, *_ = definition_policy_statements(make_spec(), [make_tool("a")], gateway)
    assert invoke["Resource"] == sorted([gateway, tool_arn("tool-a-dev")])
