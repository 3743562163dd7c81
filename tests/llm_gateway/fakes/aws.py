"""In-memory AWS clients for the gateway's platform operations: Step Functions (executions and
versioned definitions rendered by ``agent_templates``), Lambda (tools) and S3 (the content bucket).

Errors are real ``botocore`` ``ClientError`` s with the operation name, as boto3 raises them;
``fail(op, code, status)`` makes the next call of ``op`` fail that way.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from botocore.exceptions import ClientError

from agent_templates import AgentSpec, RenderOptions, ResolvedTool, definition_json, validate_agent_spec

__all__ = [
    "ACCOUNT",
    "FUNCTIONS",
    "GATEWAY",
    "MACHINES",
    "REGION",
    "FakeLambda",
    "FakeS3",
    "FakeStepFunctions",
    "client_error",
    "gateway_context",
    "tool",
]

ACCOUNT, REGION = "123456789012", "us-east-1"
FUNCTIONS = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
GATEWAY = f"{FUNCTIONS}:sfa-llm-gateway-dev"
MACHINES = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine"


def client_error(operation: str, code: str, status: int = 400, message: str = "scripted") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )


def gateway_context(arn: str = f"{GATEWAY}:live") -> Any:
    """A Lambda context of the gateway function (``invoked_function_arn`` says where it runs)."""
    return SimpleNamespace(
        aws_request_id="req-1", invoked_function_arn=arn, get_remaining_time_in_millis=lambda: 60_000
    )


def tool(name: str, function: str | None = None, version: int = 3) -> ResolvedTool:
    """A resolved tool whose Lambda is ``function`` (default ``tool-{name}-dev``) at ``version``."""
    return ResolvedTool(
        name=name,
        version="1.0.0",
        lambda_arn=f"{FUNCTIONS}:{function or f'tool-{name}-dev'}:{version}",
        description=f"The {name} tool.",
        input_schema={"type": "object"},
    )


class _Failing:
    def __init__(self) -> None:
        self.failures: dict[str, list[Exception]] = {}
        self.calls: list[tuple[str, str]] = []

    def fail(self, operation: str, code: str | Exception, status: int = 400) -> None:
        """The next call of ``operation`` raises ``code`` (an exception, or a ClientError's code)."""
        error = client_error(operation, code, status) if isinstance(code, str) else code
        self.failures.setdefault(operation, []).append(error)

    def _call(self, operation: str, target: str) -> None:
        self.calls.append((operation, target))
        pending = self.failures.get(operation)
        if pending:
            raise pending.pop(0)

    def count(self, operation: str) -> int:
        return sum(1 for op, _ in self.calls if op == operation)


class FakeStepFunctions(_Failing):
    """Agents as the regenerator deploys them: ``agent-{name}-{env}`` with published versions."""

    def __init__(self) -> None:
        super().__init__()
        self.machines: dict[str, str] = {}  # unqualified or version ARN -> definition
        self.executions: dict[str, dict[str, Any]] = {}

    def deploy(
        self, name: str, tools: list[ResolvedTool], *, env: str = "dev", version: int = 1, **spec: Any
    ) -> str:
        """Render agent ``name`` with ``offload`` and publish it as ``version``; the version ARN."""
        agent: AgentSpec = validate_agent_spec({"name": name, "model": "offline:default", **spec})
        options = RenderOptions(offload=True, env=env)
        text = definition_json(agent, tools, f"{GATEWAY}:live", options=options)
        machine = f"{MACHINES}:agent-{name}-{env}"
        self.machines[machine] = text
        self.machines[f"{machine}:{version}"] = text
        return f"{machine}:{version}"

    def start(self, target: str, run: str = "run-1", status: str = "RUNNING") -> str:
        """An execution of ``target`` (a version ARN, or an unqualified state machine ARN)."""
        parts = target.split(":")
        machine = ":".join(parts[:7])
        arn = machine.replace(":stateMachine:", ":execution:") + f":{run}"
        described = {"executionArn": arn, "stateMachineArn": machine, "status": status}
        if len(parts) == 8:
            described["stateMachineVersionArn"] = target
        self.executions[arn] = described
        return arn

    def describe_execution(self, executionArn: str) -> dict[str, Any]:
        self._call("DescribeExecution", executionArn)
        if executionArn not in self.executions:
            raise client_error("DescribeExecution", "ExecutionDoesNotExist")
        return dict(self.executions[executionArn])

    def describe_state_machine(self, stateMachineArn: str) -> dict[str, Any]:
        self._call("DescribeStateMachine", stateMachineArn)
        if stateMachineArn not in self.machines:
            raise client_error("DescribeStateMachine", "StateMachineDoesNotExist")
        return {"stateMachineArn": stateMachineArn, "definition": self.machines[stateMachineArn]}


class FakeLambda(_Failing):
    """Tools that echo their input (``results`` overrides what a function returns)."""

    def __init__(self, results: dict[str, Callable[[Any], Any]] | None = None) -> None:
        super().__init__()
        self.results = results or {}

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        self._call("Invoke", FunctionName)
        event = json.loads(Payload)
        result = self.results.get(FunctionName, lambda e: {"echo": e})(event)
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(result).encode())}


class FakeS3(_Failing):
    """One bucket's objects in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, bytes] = {}

    def put_object(self, Bucket: str, Key: str, Body: bytes, **_: Any) -> dict[str, Any]:
        self._call("PutObject", Key)
        self.objects[Key] = Body
        return {}

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        self._call("GetObject", Key)
        if Key not in self.objects:
            raise client_error("GetObject", "NoSuchKey", 404)
        return {"Body": io.BytesIO(self.objects[Key])}
