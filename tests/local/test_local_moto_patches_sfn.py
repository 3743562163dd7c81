"""Step Functions execution quirks worked around in local/moto_patches/_stepfunctions.py."""

from __future__ import annotations

import json
import time

import pytest

from local import moto_patches
from local.testing import create_state_machine, wait_for_execution
from tests.local.helpers import output, pass_machine


def test_unnamed_executions_get_unique_names(aws):
    """Quirk (a): without `name`, moto named executions 'None' and the second start collided."""
    sfn = aws.client("stepfunctions")
    arn = create_state_machine(aws, "unnamed", pass_machine("x"))["stateMachineArn"]
    first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    second = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert first != second and not first.endswith(":None")
    assert output(wait_for_execution(aws, second)) == {"ran": "x"}


def test_alias_and_version_arns_run_the_pinned_definition(aws):
    """Quirk (b): StartExecution on an alias failed and on a version crashed in moto."""
    sfn = aws.client("stepfunctions")
    created = create_state_machine(aws, "agent", pass_machine("v1"), publish=True)
    machine, v1 = created["stateMachineArn"], created["stateMachineVersionArn"]
    v2 = sfn.update_state_machine(
        stateMachineArn=machine, definition=json.dumps(pass_machine("v2")), publish=True
    )["stateMachineVersionArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(pass_machine("latest")))
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]

    def run(arn: str) -> dict:
        return wait_for_execution(aws, sfn.start_execution(stateMachineArn=arn)["executionArn"])

    on_alias = run(alias)
    assert output(on_alias) == {"ran": "v1"}  # the aliased version, not the latest definition
    assert on_alias["stateMachineArn"] == machine
    assert on_alias["stateMachineVersionArn"] == v1
    assert on_alias["stateMachineAliasArn"] == alias
    assert output(run(v2)) == {"ran": "v2"}
    assert output(run(machine)) == {"ran": "latest"}

    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}]
    )
    assert output(run(alias)) == {"ran": "v2"}  # moving the alias moves new runs
    listed = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert len(listed) == 4


def test_send_task_failure_keeps_cause(aws):
    """Quirk (d): moto's SendTaskFailure handler dropped `cause`."""
    sfn, sqs = aws.client("stepfunctions"), aws.client("sqs")
    queue = sqs.create_queue(QueueName="approvals")["QueueUrl"]
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Arguments": {"QueueUrl": queue, "MessageBody": "{% $states.context.Task.Token %}"},
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Next": "Denied", "Output": "{% $states.errorOutput %}"}
                ],
                "End": True,
            },
            "Denied": {"Type": "Pass", "End": True},
        },
    }
    arn = create_state_machine(aws, "approval", definition)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    deadline = time.monotonic() + 10
    messages: list = []
    while not messages:
        assert time.monotonic() < deadline, "the task token never arrived"
        messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages", [])
    sfn.send_task_failure(taskToken=messages[0]["Body"], error="Denied", cause="a human said no")
    assert output(wait_for_execution(aws, execution)) == {"Error": "Denied", "Cause": "a human said no"}


def _parent_child(aws, resource: str, output: str) -> tuple[str, str]:
    """A child that echoes its input, and a parent that starts it with the `states:` integration."""
    child = create_state_machine(
        aws,
        "child",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Echo",
            "States": {"Echo": {"Type": "Pass", "Output": {"got": "{% $states.input %}"}, "End": True}},
        },
    )["stateMachineArn"]
    parent = {
        "QueryLanguage": "JSONata",
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": resource,
                "Arguments": {
                    "StateMachineArn": child,
                    "Name": "{% $states.input.name %}",
                    "Input": {"turns": "{% $states.input.turns %}"},
                },
                "Output": output,
                "End": True,
            }
        },
    }
    return create_state_machine(aws, "parent", parent)["stateMachineArn"], child


@pytest.fixture
def stock_sfn_integration():
    """moto's own `states:` integration seams, for the duration of one test (then the patch again)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_sfn as sfn_task,
    )

    cls = sfn_task.StateTaskServiceSfn
    patched = {name: cls.__dict__[name] for name in ("_normalise_parameters", "_normalise_response")}
    for name in patched:
        setattr(cls, name, moto_patches._original(cls, name))
    yield
    for name, value in patched.items():
        setattr(cls, name, value)


SYNC = "arn:aws:states:::states:startExecution.sync:2"


SYNC_OUTPUT = (
    "{% {'status': $states.result.Status, 'output': $states.result.Output, "
    "'arn': $states.result.ExecutionArn, 'started': $type($states.result.StartDate)} %}"
)


def test_start_execution_sync_takes_and_returns_pascal_case(aws):
    """Quirk (f): `startExecution.sync:2` sent PascalCase arguments to boto3 and read PascalCase
    results from its camelCase response; AWS takes and returns the API's PascalCase names."""
    sfn = aws.client("stepfunctions")
    parent, child = _parent_child(aws, SYNC, SYNC_OUTPUT)
    started = sfn.start_execution(stateMachineArn=parent, input=json.dumps({"name": "run-c1", "turns": 7}))
    out = output(wait_for_execution(aws, started["executionArn"]))
    child_execution = child.replace(":stateMachine:", ":execution:") + ":run-c1"
    assert out == {
        "status": "SUCCEEDED",
        "output": {"got": {"turns": 7}},  # .sync:2: the child's output as JSON, not a string
        "arn": child_execution,
        "started": "string",  # timestamps serialised (a datetime would not survive state data)
    }
    assert output(sfn.describe_execution(executionArn=child_execution)) == {"got": {"turns": 7}}


def test_start_execution_fire_and_forget_returns_the_execution_arn(aws):
    parent, child = _parent_child(
        aws, "arn:aws:states:::states:startExecution", "{% {'arn': $states.result.ExecutionArn} %}"
    )
    sfn = aws.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=parent, input=json.dumps({"name": "async-c1", "turns": 1}))
    assert output(wait_for_execution(aws, started["executionArn"])) == {
        "arn": child.replace(":stateMachine:", ":execution:") + ":async-c1"
    }


def test_without_the_patch_start_execution_sync_fails(aws, stock_sfn_integration):
    """Canary: stock moto still fails this parent (drop the patch when this test fails)."""
    sfn = aws.client("stepfunctions")
    parent, _ = _parent_child(aws, SYNC, SYNC_OUTPUT)
    started = sfn.start_execution(stateMachineArn=parent, input=json.dumps({"name": "stock-c1", "turns": 7}))
    described = wait_for_execution(aws, started["executionArn"])
    assert described["status"] == "FAILED", described
    # botocore's serializer got `StateMachineArn` where it expects `stateMachineArn`
    assert described["error"] == "States.Runtime" and "'StateMachineArn'" in described["cause"]
