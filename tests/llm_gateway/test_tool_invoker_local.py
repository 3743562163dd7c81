"""The tool invoker on the local emulator: an agent run on its ``live`` alias (a published version, as
the regenerator deploys agents) calls its tools through the real gateway Lambda, which authorizes
each call by DescribeExecution + DescribeStateMachine on the version ARN; a direct, forged
invocation of the gateway gets nothing."""

from __future__ import annotations

import json
from typing import Any

from agent_templates import RenderOptions, RetryPolicy, render_agent_definition
from local.testing import create_state_machine, wait_for_execution
from tests.agent_templates.harness import ToolDef, deploy_tools
from tests.agent_templates.helpers import make_spec
from tests.agent_templates.large_harness import deploy_content_gateway

_ONCE = RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0)
OPTIONS = RenderOptions(offload=True, gateway_retry=_ONCE, lambda_retry=_ONCE)


def test_an_agent_on_its_live_version_calls_its_tool_and_a_forged_request_calls_nothing(aws: Any) -> None:
    gateway, _ = deploy_content_gateway(aws)
    echo, other = deploy_tools(aws, [ToolDef("echo"), ToolDef("reverse_text")])
    definition = render_agent_definition(
        make_spec(name="planner", tools=["echo"]), [echo], gateway, options=OPTIONS
    )
    created = create_state_machine(aws, "agent-planner-dev", definition, publish=True)
    sfn = aws.client("stepfunctions")
    alias = sfn.create_state_machine_alias(
        name="live",
        routingConfiguration=[{"stateMachineVersionArn": created["stateMachineVersionArn"], "weight": 100}],
    )["stateMachineAliasArn"]
    run = sfn.start_execution(stateMachineArn=alias, input=json.dumps({"prompt": 'echo {"text": "hi"}'}))
    described = wait_for_execution(aws, run["executionArn"], timeout=60)

    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert described["stateMachineVersionArn"] == created["stateMachineVersionArn"]
    output = json.loads(described["output"])
    (result,) = [b for m in output["messages"] for b in m["content"] if b["type"] == "tool_result"]
    assert not result.get("is_error") and json.loads(result["content"]) == {"text": "hi"}

    # Invoking the gateway directly, naming that (finished) run and a forged allowed list.
    forged = {
        "sfa_op": "invoke_tool",
        "function": other.lambda_arn,
        "name": "reverse_text",
        "input": {"text": "abc"},
        "execution_arn": run["executionArn"],
        "allowed": [other.lambda_arn],
    }
    reply = aws.client("lambda").invoke(FunctionName=gateway, Payload=json.dumps(forged).encode())
    error = json.loads(reply["Payload"].read())
    assert reply.get("FunctionError") and error["errorType"] == "ToolNotAllowed", error
    assert "is not running (SUCCEEDED)" in error["errorMessage"]
