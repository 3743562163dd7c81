"""The local Lambda runner behind moto's Invoke: real Python and Node.js handlers."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

PY = "python3.12"
NODE = "nodejs20.x"


def invoke(aws: Any, name: str, event: Any = None, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    response = aws.client("lambda").invoke(
        FunctionName=name, Payload=json.dumps(event if event is not None else {}), **kwargs
    )
    return response, json.loads(response["Payload"].read() or b"null")


def test_python_handler_gets_event_context_and_function_environment(aws, make_function, sources):
    make_function("describe", sources("python_app"), "app.describe", PY, env={"GREETING": "hi"}, timeout=7)
    keys = [
        "GREETING",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "_HANDLER",
        "HOME_OF_TEST",
    ]
    response, out = invoke(aws, "describe", {"keys": keys})
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert out["env"] == {
        "GREETING": "hi",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_LAMBDA_FUNCTION_NAME": "describe",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "_HANDLER": "app.describe",
        "HOME_OF_TEST": None,  # the test process's environment does not leak into handlers
    }
    assert out["function_name"] == "describe"
    assert 0 < out["remaining_ms"] <= 7000
    assert out["cwd_files"] == ["app.py"]  # runs in its extracted code, like /var/task


def test_environment_update_reaches_the_next_invocation(aws, make_function, sources):
    make_function("describe", sources("python_app"), "app.describe", PY, env={"GREETING": "v1"})
    assert invoke(aws, "describe", {"keys": ["GREETING"]})[1]["env"] == {"GREETING": "v1"}
    aws.client("lambda").update_function_configuration(
        FunctionName="describe", Environment={"Variables": {"GREETING": "v2"}}
    )
    assert invoke(aws, "describe", {"keys": ["GREETING"]})[1]["env"] == {"GREETING": "v2"}


def test_warm_worker_keeps_module_state_like_aws(aws, make_function, sources):
    make_function("echo", sources("python_app"), "app.echo", PY)
    counts = [invoke(aws, "echo", {"i": i})[1]["invocations_in_this_process"] for i in range(3)]
    assert counts == [1, 2, 3]


def test_functions_do_not_share_modules(aws, make_function):
    make_function(
        "a",
        {
            "helper_of_another_function.py": "X = 1\n",
            "app.py": "import helper_of_another_function\n"
            "def handler(e, c):\n    return helper_of_another_function.X\n",
        },
        "app.handler",
        PY,
    )
    make_function(
        "b",
        {
            "app.py": "import sys\n"
            "def handler(e, c):\n"
            "    return 'helper_of_another_function' in sys.modules\n"
        },
        "app.handler",
        PY,
    )
    assert invoke(aws, "a")[1] == 1
    assert invoke(aws, "b")[1] is False


def test_handler_exception_has_lambda_error_shape(aws, make_function, sources):
    make_function("fail", sources("python_app"), "app.fail", PY)
    response, out = invoke(aws, "fail", {"message": 'bad "input" \\ here'})
    assert response["FunctionError"] == "Unhandled"
    assert out["errorType"] == "ToolFailed"
    assert out["errorMessage"] == 'bad "input" \\ here'
    assert any("in fail" in frame for frame in out["stackTrace"])


def test_timeout_kills_the_handler(aws, make_function, sources):
    make_function("sleepy", sources("python_app"), "app.sleep", PY, timeout=1)
    started = time.monotonic()
    response, out = invoke(aws, "sleepy", {"seconds": 30})
    assert time.monotonic() - started < 5
    assert response["FunctionError"] == "Unhandled"
    assert out["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in out["errorMessage"]
    # the next invocation gets a fresh worker and still works
    assert invoke(aws, "sleepy", {"seconds": 0})[1] == "woke up"


def test_unknown_function_is_resource_not_found(aws):
    with pytest.raises(ClientError) as caught:
        invoke(aws, "no-such-function")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("handler", "error_type"),
    [
        ("app.not_json", "Runtime.MarshalError"),
        ("app.exit_process", "Runtime.ExitError"),
        ("missing_module.handler", "Runtime.ImportModuleError"),
        ("app.no_such_handler", "Runtime.HandlerNotFound"),
    ],
)
def test_runtime_errors(aws, make_function, sources, handler, error_type):
    make_function("broken", sources("python_app"), handler, PY)
    response, out = invoke(aws, "broken")
    assert response["FunctionError"] == "Unhandled"
    assert out["errorType"] == error_type


def test_handler_boto3_calls_reach_the_emulator(aws, make_function, sources):
    ddb = aws.client("dynamodb")
    ddb.create_table(
        TableName="items",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    make_function("writer", sources("python_app"), "app.put_item", PY, env={"TABLE": "items"})
    _, out = invoke(aws, "writer", {"pk": "k1"})
    assert out == {"ok": True}, out
    item = ddb.get_item(TableName="items", Key={"pk": {"S": "k1"}})["Item"]
    assert item["written_by"] == {"S": "writer"}


def test_node_commonjs_async_handler(aws, make_function, sources):
    make_function("node-cjs", sources("node_cjs"), "index.handler", NODE, env={"GREETING": "hej"})
    response, out = invoke(aws, "node-cjs", {"q": "x"})
    assert "FunctionError" not in response
    assert out == {
        "runtime": "node-cjs",
        "event": {"q": "x"},
        "functionName": "node-cjs",
        "greeting": "hej",
        "region": "us-east-1",
    }


def test_node_callback_handler(aws, make_function, sources):
    make_function("node-cb", sources("node_cjs"), "index.callback", NODE)
    assert invoke(aws, "node-cb", {"n": 7})[1] == {"via": "callback", "n": 7}


def test_node_esm_handlers(aws, make_function, sources):
    make_function("node-esm", sources("node_esm"), "index.handler", NODE)
    out = invoke(aws, "node-esm", {"a": [1, 2]})[1]
    assert out["runtime"] == "node-esm" and out["echo"] == {"a": [1, 2]}
    make_function("node-esm-sync", sources("node_esm"), "index.plain", NODE)
    assert invoke(aws, "node-esm-sync", {"value": 3})[1] == {"sync": True, "value": 3}


def test_node_error_and_timeout(aws, make_function, sources):
    make_function("node-fail", sources("node_cjs"), "index.fail", NODE)
    response, out = invoke(aws, "node-fail", {"message": "nope"})
    assert response["FunctionError"] == "Unhandled"
    assert out["errorType"] == "NodeToolError" and out["errorMessage"] == "nope"
    assert out["trace"][0] == "NodeToolError: nope"  # the Node.js runtime calls it "trace"
    make_function("node-spin", sources("node_cjs"), "index.spin", NODE, timeout=1)
    response, out = invoke(aws, "node-spin")
    assert out["errorType"] == "Sandbox.Timedout"


def test_async_invocation_runs_in_background(aws, make_function, sources):
    ddb = aws.client("dynamodb")
    ddb.create_table(
        TableName="items",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    make_function("writer", sources("python_app"), "app.put_item", PY, env={"TABLE": "items"})
    response = aws.client("lambda").invoke(
        FunctionName="writer", InvocationType="Event", Payload=json.dumps({"pk": "async"})
    )
    assert response["StatusCode"] == 202
    deadline = time.monotonic() + 10
    while "Item" not in ddb.get_item(TableName="items", Key={"pk": {"S": "async"}}):
        assert time.monotonic() < deadline, "async invocation never ran"
        time.sleep(0.05)
