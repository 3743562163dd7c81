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
    response, out = invoke(aws, "sleepy", {"seconds": 30})
    # a timed-out answer (not the handler's own return after 30 s) proves the worker was stopped
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


def test_node_js_file_in_a_type_module_package(aws, make_function):
    files = {
        "package.json": '{"type": "module"}',
        "index.js": "export const handler = async (event) => ({ esm: true, got: event.x });\n",
    }
    make_function("node-type-module", files, "index.handler", NODE)
    assert invoke(aws, "node-type-module", {"x": 5})[1] == {"esm": True, "got": 5}


def test_concurrent_invocations_of_one_function(aws, make_function, tmp_path):
    """A Map state calls one tool in parallel: each call needs its own worker process."""
    from concurrent.futures import ThreadPoolExecutor

    # A rendezvous, not a stopwatch: each call waits (up to 20 s) until all four have arrived. Run
    # one after another, the first could never see the others.
    code = (
        "import os, pathlib, time\n"
        "def handler(e, c):\n"
        "    room = pathlib.Path(e['room'])\n"
        "    (room / str(os.getpid())).touch()\n"
        "    deadline = time.monotonic() + 20\n"
        "    while len(list(room.iterdir())) < 4 and time.monotonic() < deadline:\n"
        "        time.sleep(0.02)\n"
        "    return {'pid': os.getpid(), 'met': len(list(room.iterdir()))}\n"
    )
    make_function("slow-tool", {"app.py": code}, "app.handler", PY, timeout=30)
    room = tmp_path / "room"
    room.mkdir()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda i: invoke(aws, "slow-tool", {"room": str(room)})[1], range(4)))
    assert len({a["pid"] for a in answers}) == 4  # four workers...
    assert [a["met"] for a in answers] == [4, 4, 4, 4]  # ...side by side, not one after another


def test_code_update_and_published_versions(aws, make_function):
    lam = aws.client("lambda")
    make_function("versioned", {"app.py": "def handler(e, c):\n    return 'v1'\n"}, "app.handler", PY)
    v1 = lam.publish_version(FunctionName="versioned")["Version"]
    new_zip = __import__("local").build_zip({"app.py": "def handler(e, c):\n    return 'v2'\n"})
    lam.update_function_code(FunctionName="versioned", ZipFile=new_zip)
    assert invoke(aws, "versioned")[1] == "v2"  # the warm v1 worker was replaced
    response, out = invoke(aws, "versioned", Qualifier=v1)
    assert out == "v1" and response["ExecutedVersion"] == v1


def test_handler_output_is_logged_not_mixed_into_the_result(aws, make_function, sources, caplog):
    make_function("fail", sources("python_app"), "app.fail", PY)
    with caplog.at_level("INFO", logger="local.lambda"):
        out = invoke(aws, "fail")[1]
        deadline = time.monotonic() + 5
        while "about to fail" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
    assert out["errorType"] == "ToolFailed"
    assert "[fail:$LATEST] about to fail" in caplog.text


def test_event_with_a_qualifier_key_is_just_data(aws, make_function, sources):
    make_function("echo", sources("python_app"), "app.echo", PY)
    assert invoke(aws, "echo", {"qualifier": "nope"})[1]["event"] == {"qualifier": "nope"}
