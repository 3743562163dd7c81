"""With `sfa local up` running (its own process), a tool created by a plain boto3 CreateFunction
against the endpoint registers and is called by an agent that selects it by tag."""

from __future__ import annotations

import json
import time

import boto3
import yaml

from local.testing import build_zip
from tool_sdk import encode_manifest_tags, validate_manifest


def test_boto3_created_tool_is_called_by_an_agent_selecting_it_by_tag(local_up, tmp_path):
    plain = {"endpoint_url": local_up.endpoint, "region_name": "us-east-1"}
    creds = {"aws_access_key_id": "x", "aws_secret_access_key": "x"}
    lam, iam = boto3.client("lambda", **plain, **creds), boto3.client("iam", **plain, **creds)
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

    deadline = time.monotonic() + 30
    while "shout" not in local_up.sfa("tools", "list", "--json").stdout and time.monotonic() < deadline:
        time.sleep(0.2)
    applied = local_up.sfa("agent", "apply", str(spec), "--json")
    assert applied.returncode == 0, applied.stderr
    assert [t["name"] for t in json.loads(applied.stdout)["tools"]] == ["shout"]
    ran = local_up.sfa("agent", "run", "loud", 'shout {"text": "hello"}', "--json")
    assert ran.returncode == 0, ran.stderr
    output = json.loads(ran.stdout)
    assert output["status"] == "completed" and output["tool_calls"] == 1
    assert "HELLO" in output["answer"] and output["execution_arn"].startswith("arn:aws:states:")
