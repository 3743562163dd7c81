"""Deploy rendered agents on the local emulator and run them (execution tests and bench/).

``aws`` is the ``local`` emulator (the ``aws`` pytest fixture, or a started ``LocalAws``). Tools and
the fake gateway are real Lambda functions run by the emulator's Lambda runner.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_templates import AgentSpec, RenderOptions, ResolvedTool, RetryPolicy, render_agent_definition
from local.testing import create_function, create_state_machine, wait_for_execution

HERE = Path(__file__).resolve().parent
FAKE_GATEWAY_SOURCE = (HERE / "fake_gateway.py").read_text(encoding="utf-8")
# Step Functions' minimum interval is 1 s and moto really sleeps it: one retry at most in tests.
FAST_OPTIONS = RenderOptions(
    gateway_retry=RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0),
    lambda_retry=RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0),
)
TOOL_SOURCES = {
    "reverse_text": "def handler(event, context):\n    return event['text'][::-1]\n",
    "word_count": "def handler(event, context):\n    return {'words': len(event['text'].split())}\n",
    "boom": "def handler(event, context):\n    raise ValueError('cannot handle ' + repr(event))\n",
    "sleepy": (
        "import time\n\ndef handler(event, context):\n    time.sleep(event['seconds'])\n    return 'awake'\n"
    ),
    "echo": "def handler(event, context):\n    return event\n",
}
_names = itertools.count()


@dataclass(frozen=True)
class ToolDef:
    """A tool to deploy: its source (``TOOL_SOURCES`` key or code) and manifest-side settings."""

    name: str
    source: str | None = None
    human_approval_required: bool = False
    timeout_seconds: int | None = None
    lambda_timeout: int = 3
    env: dict[str, str] | None = None
    """Environment variables, set before the version agents run is published (versions are frozen)."""


@dataclass
class AgentRun:
    status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None
    history: list[dict[str, Any]] = field(repr=False)

    def events(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.history if e["type"] == event_type]

    def entered(self) -> list[str]:
        """Names of the states entered, in order (iteration states included)."""
        return [
            e["stateEnteredEventDetails"]["name"] for e in self.history if "stateEnteredEventDetails" in e
        ]

    def scheduled_functions(self) -> list[str]:
        return [
            json.loads(e["taskScheduledEventDetails"]["parameters"])["FunctionName"]
            for e in self.events("TaskScheduled")
            if e["taskScheduledEventDetails"]["resource"] == "invoke"
        ]


@dataclass
class DeployedAgent:
    aws: Any
    arn: str
    definition: dict[str, Any]
    tools: dict[str, ResolvedTool]
    gateway_arn: str

    def start(self, execution_input: dict[str, Any]) -> str:
        sfn = self.aws.client("stepfunctions")
        name = f"run-{next(_names)}-{time.monotonic_ns()}"
        return sfn.start_execution(stateMachineArn=self.arn, name=name, input=json.dumps(execution_input))[
            "executionArn"
        ]

    def wait(self, execution_arn: str, timeout: float = 60.0) -> AgentRun:
        described = wait_for_execution(self.aws, execution_arn, timeout=timeout)
        sfn = self.aws.client("stepfunctions")
        history: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        while True:
            page = sfn.get_execution_history(**kwargs)
            history.extend(page["events"])
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        output = json.loads(described["output"]) if described.get("output") else None
        return AgentRun(described["status"], output, described.get("error"), described.get("cause"), history)

    def run(self, execution_input: dict[str, Any], timeout: float = 60.0) -> AgentRun:
        return self.wait(self.start(execution_input), timeout=timeout)


def deploy_fake_gateway(aws: Any, state_dir: str, name: str = "fake-llm-gateway") -> str:
    response = create_function(
        aws,
        name,
        {"gateway.py": FAKE_GATEWAY_SOURCE},
        "gateway.handler",
        env={"FAKE_GATEWAY_STATE": state_dir},
    )
    return response["FunctionArn"]


def deploy_tools(aws: Any, tools: list[ToolDef]) -> list[ResolvedTool]:
    resolved = []
    for tool in tools:
        source = TOOL_SOURCES.get(tool.source or tool.name, tool.source)
        if source is None:
            raise KeyError(f"no source for tool {tool.name!r}")
        created = create_function(
            aws,
            f"tool-{tool.name}-dev",
            {"app.py": source},
            "app.handler",
            timeout=tool.lambda_timeout,
            env=tool.env,
            publish=True,  # agents invoke a tool's published version, as the registry records it
        )
        resolved.append(
            ResolvedTool(
                name=tool.name,
                version="1.0.0",
                lambda_arn=f"{created['FunctionArn']}:{created['Version']}",
                description=f"The {tool.name} tool.",
                input_schema={"type": "object"},
                human_approval_required=tool.human_approval_required,
                timeout_seconds=tool.timeout_seconds,
            )
        )
    return resolved


def deploy_agent(
    aws: Any,
    spec: AgentSpec,
    tools: list[ResolvedTool],
    gateway_arn: str,
    *,
    options: RenderOptions = FAST_OPTIONS,
) -> DeployedAgent:
    definition = render_agent_definition(spec, tools, gateway_arn, options=options)
    arn = create_state_machine(aws, f"agent-{spec.name}-{options.env}", definition)["stateMachineArn"]
    return DeployedAgent(aws, arn, definition, {t.name: t for t in tools}, gateway_arn)


class ApprovalInbox:
    """The ``sfa-registry-{env}`` bus with a rule sending ToolApprovalRequested events to SQS."""

    def __init__(self, aws: Any, env: str = "dev") -> None:
        self.sqs = aws.client("sqs")
        events = aws.client("events")
        bus = f"sfa-registry-{env}"
        events.create_event_bus(Name=bus)
        self.queue_url = self.sqs.create_queue(QueueName=f"approvals-{env}")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        pattern = {"source": ["sfn-agents.registry"], "detail-type": ["ToolApprovalRequested"]}
        events.put_rule(Name="approvals", EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(Rule="approvals", EventBusName=bus, Targets=[{"Id": "inbox", "Arn": queue_arn}])

    def next(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next ToolApprovalRequested event (the whole EventBridge envelope)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=1).get(
                "Messages", []
            )
            if messages:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
                return json.loads(messages[0]["Body"])
            time.sleep(0.02)
        raise TimeoutError(f"no approval request within {timeout} s")
