"""Helpers for tests (and demos) that deploy Lambdas and run state machines on the emulator.

``aws`` below is anything with ``.client(name)`` — a ``LocalAws`` (the ``aws`` pytest fixture is
one). Example::

    def test_tool(aws):
        create_function(aws, "echo", {"app.py": "def handler(e, c):\\n    return e\\n"},
                        handler="app.handler", runtime="python3.12")
        out = aws.client("lambda").invoke(FunctionName="echo", Payload=b'{"a": 1}')
        assert json.loads(out["Payload"].read()) == {"a": 1}
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import Any, Protocol

from local.errors import LocalError

__all__ = [
    "LAMBDA_ROLE_NAME",
    "build_zip",
    "create_function",
    "create_state_machine",
    "ensure_lambda_role",
    "wait_for_execution",
]

LAMBDA_ROLE_NAME = "sfa-local-lambda-role"
_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}
_TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


class _HasClient(Protocol):
    def client(self, service_name: str, **kwargs: Any) -> Any: ...


def build_zip(files: dict[str, str | bytes]) -> bytes:
    """A deployment zip holding ``files`` (archive path → content), deterministic for equal input."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()


def ensure_lambda_role(aws: _HasClient) -> str:
    """The ARN of an IAM role functions and state machines can use (moto's server requires one)."""
    iam = aws.client("iam")
    try:
        return iam.get_role(RoleName=LAMBDA_ROLE_NAME)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName=LAMBDA_ROLE_NAME, AssumeRolePolicyDocument=json.dumps(_TRUST_POLICY))
        return role["Role"]["Arn"]


def create_function(
    aws: _HasClient,
    name: str,
    files: dict[str, str | bytes],
    handler: str,
    runtime: str = "python3.12",
    env: dict[str, str] | None = None,
    timeout: int = 3,
    tags: dict[str, str] | None = None,
    *,
    memory_size: int = 128,
    publish: bool = False,
) -> dict[str, Any]:
    """Deploy ``files`` as Lambda ``name`` and return CreateFunction's response.

    ``handler`` is Lambda's ``module.function`` (``app.handler`` for ``app.py``; ``index.handler``
    for ``index.js``/``index.mjs``); ``runtime`` any ``python3.x`` or ``nodejs*`` runtime. The
    function's code really runs when invoked (``local.lambda_runner``).
    """
    spec: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": runtime,
        "Role": ensure_lambda_role(aws),
        "Handler": handler,
        "Code": {"ZipFile": build_zip(files)},
        "Timeout": timeout,
        "MemorySize": memory_size,
        "Publish": publish,
    }
    if env:
        spec["Environment"] = {"Variables": env}
    if tags:
        spec["Tags"] = tags
    return aws.client("lambda").create_function(**spec)


def create_state_machine(
    aws: _HasClient, name: str, definition: dict[str, Any] | str, *, publish: bool = False
) -> dict[str, Any]:
    """Create a STANDARD state machine (definition as dict or JSON) and return the response."""
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return aws.client("stepfunctions").create_state_machine(
        name=name, definition=text, roleArn=ensure_lambda_role(aws), publish=publish
    )


def wait_for_execution(
    aws: _HasClient, execution_arn: str, timeout: float = 30.0, interval: float = 0.02
) -> dict[str, Any]:
    """Poll DescribeExecution until the execution ends (moto runs it on a background thread)."""
    sfn = aws.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] in _TERMINAL:
            return described
        if time.monotonic() > deadline:
            raise LocalError(f"execution {execution_arn} still {described['status']} after {timeout} s")
        time.sleep(interval)
