"""With `sfa local up` running (its own process), a tool created by a plain boto3 CreateFunction
against the endpoint registers and is called by an agent that selects it by tag."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import boto3
import yaml
from botocore.config import Config

from local.testing import build_zip
from tool_sdk import encode_manifest_tags, validate_manifest


def test_boto3_created_tool_is_called_by_an_agent_selecting_it_by_tag(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SFA_"))}
    env["SFA_HOME"] = str(tmp_path)
    up = subprocess.Popen(
        [sys.executable, "-m", "sfa", "local", "up"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = up.stdout.readline().strip()
        assert line.startswith("AWS_ENDPOINT_URL="), up.stderr.read()
        endpoint = line.split("=", 1)[1]
        lam = boto3.client(
            "lambda",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
            config=Config(retries={"max_attempts": 1}),
        )
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        role = iam.create_role(RoleName="plain", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        manifest = validate_manifest(
            {
                "name": "shout",
                "version": "1.0.0",
                "description": "Upper-cases a text.",
                "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
                "tags": ["loud"],
            }
        )[0]
        lam.create_function(
            FunctionName="anything-shout",  # any tagged function registers, not only tool-*
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": build_zip({"app.py": "def handler(e, c):\n    return e['text'].upper()\n"})},
            Tags=encode_manifest_tags(manifest),
        )
        spec = tmp_path / "agent.yaml"
        spec.write_text(yaml.safe_dump({"name": "loud", "model": "offline:default", "tools": ["tag:loud"]}))

        def sfa(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, "-m", "sfa", *args], capture_output=True, text=True, env=env, timeout=120
            )

        deadline = time.monotonic() + 30
        while "shout" not in sfa("tools", "list", "--json").stdout and time.monotonic() < deadline:
            time.sleep(0.2)
        applied = sfa("agent", "apply", str(spec), "--json")
        assert applied.returncode == 0, applied.stderr
        assert [t["name"] for t in json.loads(applied.stdout)["tools"]] == ["shout"]
        ran = sfa("agent", "run", "loud", 'shout {"text": "hello"}', "--json")
        assert ran.returncode == 0, ran.stderr
        output = json.loads(ran.stdout)
        assert output["status"] == "completed" and output["tool_calls"] == 1
        assert "HELLO" in output["answer"] and output["execution_arn"].startswith("arn:aws:states:")
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=30)
