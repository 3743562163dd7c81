"""Acceptance smoke test: a JSONata state machine invoking real Python and Node.js Lambdas."""

from __future__ import annotations

import json

from local.testing import create_state_machine, wait_for_execution

# A Task with a dynamic FunctionName (from the input, via JSONata Arguments) and a Catch that
# receives the handler's error; the Pass after it exposes what the Catch saw.
DEFINITION = {
    "QueryLanguage": "JSONata",
    "StartAt": "CallTool",
    "States": {
        "CallTool": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "{% $states.input.tool %}", "Payload": "{% $states.input.args %}"},
            "Output": {"result": "{% $states.result.Payload %}"},
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Next": "ToolFailed",
                    "Output": {"error": "{% $states.errorOutput %}"},
                }
            ],
            "End": True,
        },
        "ToolFailed": {"Type": "Pass", "End": True},
    },
}


def run(aws, machine_arn: str, payload: dict) -> dict:
    sfn = aws.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(payload))["executionArn"]
    return wait_for_execution(aws, arn, timeout=30)


def test_jsonata_task_invokes_python_and_node_lambdas_and_catches_errors(aws, make_function, sources):
    make_function("py-tool", sources("python_app"), "app.echo", "python3.12")
    make_function("py-fail", sources("python_app"), "app.fail", "python3.12")
    make_function("node-tool", sources("node_cjs"), "index.handler", "nodejs20.x")
    make_function("node-fail", sources("node_cjs"), "index.fail", "nodejs20.x")
    machine = create_state_machine(aws, "smoke", DEFINITION)["stateMachineArn"]

    py = run(aws, machine, {"tool": "py-tool", "args": {"city": "Oslo"}})
    assert py["status"] == "SUCCEEDED", py
    assert json.loads(py["output"])["result"]["event"] == {"city": "Oslo"}

    node = run(aws, machine, {"tool": "node-tool", "args": {"n": 1}})
    assert node["status"] == "SUCCEEDED", node
    assert json.loads(node["output"])["result"]["runtime"] == "node-cjs"

    py_error = json.loads(run(aws, machine, {"tool": "py-fail", "args": {"message": "no"}})["output"])
    assert py_error["error"]["Error"] == "ToolFailed"
    assert json.loads(py_error["error"]["Cause"])["errorMessage"] == "no"

    node_error = json.loads(run(aws, machine, {"tool": "node-fail", "args": {}})["output"])
    assert node_error["error"]["Error"] == "NodeToolError"
    assert json.loads(node_error["error"]["Cause"])["errorMessage"] == "node boom"

    missing = json.loads(run(aws, machine, {"tool": "no-such-tool", "args": {}})["output"])
    assert "ResourceNotFound" in missing["error"]["Error"] + missing["error"]["Cause"]


def test_map_state_calls_tools_by_name_from_a_lookup_table(aws, make_function, sources):
    """The agent loop's shape: a Map of tool calls, FunctionName from `$lookup($toolmap, name)`."""
    make_function("tool-py", sources("python_app"), "app.echo", "python3.12")
    make_function("tool-node", sources("node_esm"), "index.handler", "nodejs20.x")
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {
                "Type": "Pass",
                "Assign": {"toolmap": {"echo": "tool-py", "shout": "tool-node"}},
                "Next": "Calls",
            },
            "Calls": {
                "Type": "Map",
                "Items": "{% $states.input.calls %}",
                "MaxConcurrency": 4,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Call",
                    "States": {
                        "Call": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Arguments": {
                                "FunctionName": "{% $lookup($toolmap, $states.input.name) %}",
                                "Payload": "{% $states.input.input %}",
                            },
                            "Output": "{% $states.result.Payload %}",
                            "End": True,
                        }
                    },
                },
                "End": True,
            },
        },
    }
    machine = create_state_machine(aws, "map-tools", definition)["stateMachineArn"]
    calls = [{"name": n, "input": {"i": i}} for i, n in enumerate(["echo", "shout", "echo", "shout"])]
    out = json.loads(run(aws, machine, {"calls": calls})["output"])
    assert [o.get("event", o.get("echo")) for o in out] == [{"i": 0}, {"i": 1}, {"i": 2}, {"i": 3}]
    assert [o.get("runtime", "python") for o in out] == ["python", "node-esm", "python", "node-esm"]
