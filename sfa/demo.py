"""``sfa demo`` (what ``make demo`` runs): the whole loop of docs/design.md §1 on the local emulator.

The story: tools deployed with ordinary Lambda calls register themselves; an agent that selects them
is rendered and published; it answers a question with parallel tool calls; a tool update re-renders
the agent (new version, ``live`` moves) and the next run uses the new tool; removing a tool's
manifest takes it out of the agent. Every step is checked: the demo exits non-zero if the loop
does not behave, so it doubles as an end-to-end check.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

__all__ = ["DemoFailed", "run_demo"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
AGENT = "trip-planner"
# No markup: tool names, prompts, answers and events are printed as they are (styles via Text).
console = Console(highlight=False, markup=False, width=None if os.isatty(1) else 110)
# The first key found picks the model; without one the offline provider (not an LLM) is used.
_MODEL_FOR_KEY = {
    "ANTHROPIC_API_KEY": "anthropic:claude-sonnet-4-5",
    "OPENAI_API_KEY": "openai:gpt-5-mini",
    "GEMINI_API_KEY": "gemini:gemini-2.5-flash",
    "GOOGLE_API_KEY": "gemini:gemini-2.5-flash",
}
MARATHON = "The quick brown fox jumps over the lazy dog"
FIRST_PROMPT = (
    f'How long is a marathon (42.195 km) in miles, and how many words are in "{MARATHON}"? '
    'convert_units {"value": 42.195, "from_unit": "km", "to_unit": "mi"} '
    f'text_stats {{"text": "{MARATHON}"}}'
)
SECOND_PROMPT = 'And in nautical miles? convert_units {"value": 42.195, "from_unit": "km", "to_unit": "nmi"}'


class DemoFailed(Exception):
    """Raised when a step of the demo does not end as the loop promises."""


def run_demo() -> int:
    started = time.perf_counter()
    try:
        with _Demo() as demo:
            demo.run()
    except DemoFailed as exc:
        console.print(Text.assemble("\n", ("demo failed:", "bold red"), f" {exc}"))
        return 1
    console.print(Rule())
    took = f" in {time.perf_counter() - started:.1f} s — the loop works end to end."
    console.print(Text.assemble(("done", "bold green"), took))
    return 0


class _Demo:
    def __enter__(self) -> _Demo:
        from local import LocalAws
        from local.controlplane import LocalControlPlane

        step("1. Local AWS: an embedded emulator on 127.0.0.1, the platform deployed on it")
        self.aws = LocalAws().start()
        os.environ.update({**self.aws.environment(), "SFA_ENV": "dev"})
        self.plane = LocalControlPlane(self.aws, "dev", environ=dict(os.environ)).start()
        resources = self.plane.resources
        assert resources is not None
        say(f"endpoint {self.aws.endpoint_url} — functions: {', '.join(sorted(resources.functions))}")
        keys = resources.llm_keys_found
        self.model = next((_MODEL_FOR_KEY[k] for k in _MODEL_FOR_KEY if k in keys), "offline:default")
        if keys:
            say(f"LLM: {self.model} (key found: {', '.join(keys)})")
        else:
            say("LLM: offline:default — no provider key set; the offline provider is deterministic and")
            say("     is NOT a language model: it calls the tools named in the prompt and quotes results.")
        self.events = _EventTap(self.aws)
        return self

    def __exit__(self, *exc: object) -> None:
        self.events.close()
        self.plane.stop()
        self.aws.stop()

    def run(self) -> None:
        from control_plane.agents import AgentRegistry
        from control_plane.agents.runs import AgentRunner
        from control_plane.config import ControlPlaneConfig

        self.agents = AgentRegistry.from_config(ControlPlaneConfig.from_env())
        self.runner = AgentRunner(self.agents)

        step("2. Deploy two tools with plain Lambda API calls (Python and Node.js)")
        self.deploy(EXAMPLES / "tools" / "convert_units")
        self.deploy(EXAMPLES / "tools" / "text_stats")
        self.settle(expect={"ToolRegistered": 2})
        self.show_tools()

        step("3. Apply the agent spec: the control plane renders and publishes the state machine")
        self.apply_agent()
        first = self.settle(expect={"AgentRegenerated": 1})
        self.require_tools({"convert_units@1.0.0", "text_stats@1.0.0"}, version=1, seen=first)

        step("4. Run the agent on a question that needs both tools (parallel calls in one turn)")
        answer = self.run_agent(FIRST_PROMPT)
        self.require_in(answer, ["26.2188", '"words":9'])

        step("5. Update convert_units: new code and manifest (1.1.0 adds nautical miles)")
        self.deploy(EXAMPLES / "updates" / "convert_units")
        seen = self.settle(expect={"ToolRegistered": 1, "AgentRegenerated": 1})
        self.require_tools({"convert_units@1.1.0", "text_stats@1.0.0"}, version=2, seen=seen)
        answer = self.run_agent(SECOND_PROMPT)
        self.require_in(answer, ["22.7835"])

        step("6. Remove text_stats's manifest (aws lambda untag-resource): the agent drops it")
        self.untag("tool-text_stats-dev")
        seen = self.settle(expect={"ToolDeregistered": 1, "AgentRegenerated": 1})
        self.require_tools({"convert_units@1.1.0"}, version=3, seen=seen)
        self.show_tools()

    # -- steps -----------------------------------------------------------------------------------

    def deploy(self, folder: Path) -> None:
        from sfa.deploy import deploy_tool, read_tool_folder

        tool = read_tool_folder(folder)
        result = deploy_tool(
            tool, env="dev", lambda_client=self.aws.client("lambda"), iam_client=self.aws.client("iam")
        )
        say(
            f"{result.action} {result.function_name} ({tool.runtime}) as "
            f"{tool.manifest.name}@{tool.manifest.version}: {', '.join(result.calls) or 'no calls'}"
        )

    def untag(self, function_name: str) -> None:
        from tool_sdk.tags import manifest_tag_keys

        lam = self.aws.client("lambda")
        arn = lam.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
        keys = manifest_tag_keys(lam.list_tags(Resource=arn)["Tags"])
        lam.untag_resource(Resource=arn, TagKeys=keys)
        say(f"untagged {len(keys)} manifest tags from {function_name}")

    def apply_agent(self) -> None:
        from agent_templates import load_agent_spec, validate_agent_spec

        path = EXAMPLES / "agents" / f"{AGENT}.yaml"
        spec = load_agent_spec(path)
        if spec.model != self.model:
            data = {**spec.canonical_dict(), "model": self.model, "fallbacks": []}
            spec = validate_agent_spec(data)
            say(f"{path.relative_to(ROOT)} (model set to {self.model} for this run)")
        self.agents.apply(spec)
        record = self.agents.wait(AGENT, timeout=30)
        if record is None or record.status != "ready":
            raise DemoFailed(f"agent not ready: {record.last_error if record else 'missing'}")

    def run_agent(self, prompt: str) -> str:
        from sfa.commands.agent_output import print_entry, print_result

        console.print(Text.assemble(("prompt:", "dim"), f" {prompt}"))
        arn = self.runner.start(AGENT, {"prompt": prompt})
        result = self.runner.follow(arn, on_entry=print_entry, timeout_seconds=60)
        print_result(result)
        if result.status != "completed":
            raise DemoFailed(f"the run ended {result.status} ({result.execution_status})")
        alias = result.as_json().get("execution_arn", arn)
        say(f"ran on the live alias ({alias.rsplit(':', 2)[-2]})")
        return str(result.as_json().get("answer") or "")

    def settle(self, expect: dict[str, int]) -> list[dict[str, Any]]:
        """Wait for the loop to go quiet, print the registry events, check the expected ones came."""
        self.plane.settle(timeout=45)
        seen = self.events.drain(expect)
        got = {kind: sum(1 for e in seen if e["detail-type"] == kind) for kind in expect}
        if any(got[k] < n for k, n in expect.items()):
            raise DemoFailed(f"expected events {expect}, got {got}")
        return seen

    def require_tools(self, refs: set[str], *, version: int, seen: list[dict[str, Any]]) -> None:
        record = self.agents.require(AGENT)
        tools = {t.ref for t in record.resolved_tools}
        if tools != refs or record.live_version != version:
            raise DemoFailed(
                f"agent has {sorted(tools)} on v{record.live_version}, expected {sorted(refs)} v{version}"
            )
        alias = self.aws.client("stepfunctions").describe_state_machine_alias(
            stateMachineAliasArn=record.alias_arn
        )
        routed = alias["routingConfiguration"][0]["stateMachineVersionArn"]
        say(f"live alias → version {routed.rsplit(':', 1)[-1]}; tools: {', '.join(sorted(tools))}")

    def require_in(self, answer: str, needles: list[str]) -> None:
        missing = [n for n in needles if n not in answer]
        if missing and self.model.startswith("offline:"):
            raise DemoFailed(f"answer lacks {missing}")  # a real LLM may phrase results freely

    def show_tools(self) -> None:
        from control_plane.config import tool_registry_table_name
        from control_plane.registry import ToolRegistry

        registry = ToolRegistry(tool_registry_table_name("dev"), self.aws.client("dynamodb"))
        table = Table("tool", "version", "status", "language", "labels", title="ToolRegistry-dev")
        for name in ("convert_units", "text_stats"):
            for r in registry.history(name):
                table.add_row(r.name, r.version, r.status, r.language or "", ", ".join(r.tags))
        console.print(table)


class _EventTap:
    """A subscriber on the registry bus (rule → queue), as any user would subscribe."""

    def __init__(self, aws: Any) -> None:
        import json

        from control_plane.config import registry_bus_name
        from control_plane.events import EVENT_SOURCE

        self.bus = registry_bus_name("dev")
        self.sqs, self.events = aws.client("sqs"), aws.client("events")
        self.queue = self.sqs.create_queue(QueueName="sfa-demo-events")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.events.put_rule(
            Name="sfa-demo", EventBusName=self.bus, EventPattern=json.dumps({"source": [EVENT_SOURCE]})
        )
        self.events.put_targets(Rule="sfa-demo", EventBusName=self.bus, Targets=[{"Id": "demo", "Arn": arn}])

    def drain(self, expect: dict[str, int], timeout: float = 10.0) -> list[dict[str, Any]]:
        import json

        from sfa.commands.events import describe_event

        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get("Messages", [])
            for message in batch:
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
                event = json.loads(message["Body"])
                seen.append(event)
                console.print(Text.assemble("  ", ("event", "cyan"), f" {describe_event(event)}"))
            counts = {k: sum(1 for e in seen if e["detail-type"] == k) for k in expect}
            if not batch and all(counts[k] >= n for k, n in expect.items()):
                break
            if not batch:
                time.sleep(0.05)
        return seen

    def close(self) -> None:
        self.events.remove_targets(Rule="sfa-demo", EventBusName=self.bus, Ids=["demo"])
        self.events.delete_rule(Name="sfa-demo", EventBusName=self.bus)


def step(title: str) -> None:
    console.print(Rule(Text(title, style="bold"), align="left"))


def say(text: str) -> None:
    console.print(f"  {text}")
