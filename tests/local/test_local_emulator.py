"""LocalAws lifecycle, configuration, reset and the pytest fixtures' guards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import boto3
import pytest

from local import EmulatorAlreadyRunningError, LocalAws
from local.jsonata_eval import JSONataEvaluationError, sfn_hash
from local.testing import create_state_machine


def test_emulator_listens_on_localhost_with_moto_port_and_config(aws):
    from moto.core.config import default_user_config

    assert aws.endpoint_url.startswith("http://127.0.0.1:")
    assert os.environ["MOTO_PORT"] == aws.endpoint_url.rsplit(":", 1)[1]
    assert default_user_config["stepfunctions"]["execute_state_machine"] is True
    assert default_user_config["lambda"]["use_docker"] is False
    assert aws.region == "us-east-1"


def test_fixture_environment_reaches_plain_boto3_clients(aws):
    # Code under test builds its own clients: they must land on the emulator.
    boto3.client("sqs").create_queue(QueueName="made-by-code-under-test")
    assert aws.client("sqs").list_queues()["QueueUrls"][0].endswith("made-by-code-under-test")
    # botocore's account-based endpoints (unknown to moto) are off for DynamoDB Streams too.
    assert boto3.client("dynamodbstreams").list_streams()["Streams"] == []


def test_session_clients_and_resources_default_to_the_emulator(aws):
    session = aws.session()
    session.client("sqs").create_queue(QueueName="from-session")
    assert (
        session.resource("sqs").get_queue_by_name(QueueName="from-session").url.startswith(aws.endpoint_url)
    )


def test_reset_wipes_state(aws):
    aws.client("sqs").create_queue(QueueName="left-over")
    aws.reset()
    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []


def test_reset_stops_running_executions(aws):
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}
    arn = create_state_machine(aws, "slow", wait)["stateMachineArn"]
    execution = aws.client("stepfunctions").start_execution(stateMachineArn=arn)["executionArn"]
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[LocalAws.account_id][aws.region]
    running = backend.describe_execution(execution)
    aws.reset()
    assert running.status != "RUNNING"


def test_second_emulator_in_one_process_is_refused(aws):
    with pytest.raises(EmulatorAlreadyRunningError):
        LocalAws().start()


def test_network_guard_blocks_real_endpoints(aws):
    client = boto3.client("sqs", endpoint_url="https://sqs.us-east-1.amazonaws.com")
    with pytest.raises(RuntimeError, match="local emulator"):
        client.list_queues()


def test_sfn_hash_validates_its_arguments():
    assert sfn_hash("abc") == sfn_hash("abc", "SHA-256")
    with pytest.raises(JSONataEvaluationError):
        sfn_hash(123, "SHA-256")
    with pytest.raises(JSONataEvaluationError):
        sfn_hash("abc", "sha256")


def test_fresh_process_start_stop_restores_stock_moto(tmp_path):
    """Start/stop from a fresh process; stop must give later code moto as it was."""
    script = textwrap.dedent(
        """
        import json, os, socket
        from local import LocalAws, EmulatorError
        from moto.awslambda_simple.models import LambdaSimpleBackend
        from moto.core.config import default_user_config
        from moto.stepfunctions.parser.asl.jsonata import jsonata
        stock_invoke = LambdaSimpleBackend.__dict__["invoke"]
        busy = socket.socket(); busy.bind(("127.0.0.1", 0)); busy.listen()
        try:
            LocalAws().start(port=busy.getsockname()[1])
            port_in_use = "started"
        except EmulatorError:
            port_in_use = "refused"
        with LocalAws() as aws:
            started = {"moto_port": os.environ["MOTO_PORT"], "url": aws.endpoint_url,
                       "patched": jsonata._eval_jsonata is not None}
            aws.client("sqs").create_queue(QueueName="q")
        print(json.dumps({
            "port_in_use": port_in_use, **started,
            "moto_port_after": os.environ.get("MOTO_PORT"),
            "jsonata_after": jsonata._eval_jsonata is None,
            "invoke_after": LambdaSimpleBackend.__dict__["invoke"] is stock_invoke,
            "sfn_after": default_user_config["stepfunctions"]["execute_state_machine"],
        }))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "MOTO_PORT"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["port_in_use"] == "refused"
    assert result["url"].endswith(":" + result["moto_port"])
    assert result["patched"] is True
    assert result["moto_port_after"] is None
    assert result["jsonata_after"] is True
    assert result["invoke_after"] is True
    assert result["sfn_after"] is False
