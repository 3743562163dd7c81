"""What runs is what was registered (issue: published tool versions), through the public surface.

Local mode (the platform on the emulator, grace window 1 s), plain boto3 Lambda calls as any deploy
tool makes them, agents run with StartExecution on their ``live`` alias, events read from the
registry bus, lifecycle decisions through ``sfa``. The tool's code answers with its build name, so
each run shows which build an agent invoked.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from agent_templates import validate_agent_spec
from control_plane.agents import AgentRegistry
from control_plane.agents.runs import AgentRunner
from control_plane.registry import ToolRegistry
from local.testing import build_zip, ensure_lambda_role
from tool_sdk import encode_manifest_tags, validate_manifest
from tool_sdk.tags import manifest_tag_keys

FN = "tool-slug-dev"
ARN = f"arn:aws:lambda:us-east-1:123456789012:function:{FN}"


def manifest(version: str, description: str = "Makes a slug of a text.") -> Any:
    data = {
        "name": "slug",
        "version": version,
        "description": description,
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
        "tags": ["text"],
    }
    return validate_manifest(data, portability=False)[0]


def code(build: str) -> bytes:
    return build_zip({"app.py": f"def handler(event, context):\n    return {{'build': '{build}'}}\n"})


class Bus:
    """Every registry event, read from an SQS queue subscribed to the registry bus."""

    def __init__(self, aws: Any) -> None:
        self.sqs, events = aws.client("sqs"), aws.client("events")
        self.url = self.sqs.create_queue(QueueName="registry-capture")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        pattern = json.dumps({"source": ["sfn-agents.registry"]})
        events.put_rule(Name="capture", EventBusName="sfa-registry-dev", EventPattern=pattern)
        events.put_targets(Rule="capture", EventBusName="sfa-registry-dev", Targets=[{"Id": "q", "Arn": arn}])
        self.seen: list[dict[str, Any]] = []

    def drain(self) -> list[dict[str, Any]]:
        """Events since the last drain: ``{"type": detail-type, **detail}``."""
        new: list[dict[str, Any]] = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                break
            for m in messages:
                body = json.loads(m["Body"])
                new.append({"type": body["detail-type"], **body["detail"]})
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        self.seen += new
        return new

    def tool_events(self) -> list[tuple[str, str | None]]:
        return [(e["type"], e.get("version")) for e in self.drain() if e["type"].startswith("Tool")]


@pytest.fixture
def world(aws: Any, local_control_plane: Any) -> Any:
    class World:
        lam = aws.client("lambda")
        registry = ToolRegistry("ToolRegistry-dev", aws.client("dynamodb"))
        agents = AgentRegistry("AgentRegistry-dev", aws.client("dynamodb"))
        runner = AgentRunner(agents, aws.client("stepfunctions"))
        bus = Bus(aws)
        settle = staticmethod(local_control_plane.settle)

        def create(self, build: str, m: Any) -> None:
            self.lam.create_function(
                FunctionName=FN,
                Runtime="python3.12",
                Role=ensure_lambda_role(aws),
                Handler="app.handler",
                Code={"ZipFile": code(build)},
                Tags=encode_manifest_tags(m),
            )

        def update_code(self, build: str) -> None:
            self.lam.update_function_code(FunctionName=FN, ZipFile=code(build))

        def tag(self, m: Any) -> None:
            self.lam.tag_resource(Resource=ARN, Tags=encode_manifest_tags(m))

        def agent(self, name: str, selector: str) -> None:
            spec = {"name": name, "model": "offline:default", "tools": [selector]}
            self.agents.apply(validate_agent_spec(spec))
            self.settle()
            record = self.agents.wait(name, timeout=60)
            assert record is not None and record.status == "ready", record and record.last_error

        def run(self, name: str) -> str:
            """Which build the agent's tool call ran."""
            arn = self.runner.start(name, {"messages": [{"role": "user", "content": 'slug {"text": "A b"}'}]})
            result = self.runner.follow(arn, poll_seconds=0.1, timeout_seconds=60)
            assert result.execution_status == "SUCCEEDED", result.as_json()
            builds = re.findall(r'"build":\s*"(\w+)"', result.output["answer"])
            assert len(builds) == 1, result.output
            return builds[0]

    w = World()
    w.create("A", manifest("1.1.0"))
    w.settle()
    assert w.bus.tool_events() == [("ToolRegistered", "1.1.0")]
    return w


def test_code_changed_without_a_version_bump_never_runs(world):
    world.agent("slugger", "slug")
    assert world.run("slugger") == "A"
    before = world.registry.get("slug", "1.1.0")
    world.update_code("B")  # new code, the manifest still says 1.1.0
    world.settle()  # waits for the re-check after the grace window
    assert world.run("slugger") == "A"  # agents keep running the registered build
    events = world.bus.tool_events()
    assert events == [("ToolRejected", "1.1.0")]
    [rejected] = [e for e in world.bus.seen if e["type"] == "ToolRejected"]
    assert rejected["reasons"][0]["code"] == "changed_without_version_bump"
    after = world.registry.get("slug", "1.1.0")
    assert (after.code_sha256, after.lambda_arn, after.status) == (
        before.code_sha256,
        before.lambda_arn,
        "active",
    )
    # duplicates and the reconciler do not report it again
    world.lam.tag_resource(Resource=ARN, Tags={"unrelated": "x"})
    world.settle()
    assert world.bus.tool_events() == []


def test_a_major_release_keeps_caret_pins_on_the_old_code(world):
    world.agent("pinned", "slug@^1")
    world.agent("floating", "slug")
    world.update_code("B")
    world.tag(manifest("2.0.0"))
    world.settle()
    assert world.bus.tool_events() == [("ToolRegistered", "2.0.0")]
    assert world.agents.wait("pinned", timeout=60).status == "ready"
    assert world.run("pinned") == "A"  # 1.1.0's published version still has build A
    assert world.run("floating") == "B"
    history = world.registry.history("slug")
    assert [(r.version, r.status) for r in history] == [("1.1.0", "active"), ("2.0.0", "active")]
    assert all(r.lambda_arn.startswith(f"{ARN}:") for r in history)


def _terraform(world: Any) -> None:
    """Untag removed keys first, then tag changed values (Terraform's order): a torn tag set between."""
    noise = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(12))  # incompressible
    world.tag(manifest("1.2.0", description=f"Makes a slug. {noise}"))
    world.settle()
    world.bus.drain()
    new_tags = encode_manifest_tags(manifest("1.3.0"))
    old_keys = manifest_tag_keys(world.lam.list_tags(Resource=ARN)["Tags"])
    removed = [k for k in old_keys if k not in new_tags]
    assert removed, "the old manifest must need more tag parts than the new one"
    world.lam.untag_resource(Resource=ARN, TagKeys=removed)
    world.update_code("B")
    world.lam.tag_resource(Resource=ARN, Tags=new_tags)


RELEASES = {
    "code_then_tags": lambda w: (w.update_code("B"), w.tag(manifest("1.3.0"))),
    "tags_then_code": lambda w: (w.tag(manifest("1.3.0")), w.update_code("B")),
    "configuration_then_tags": lambda w: (
        w.lam.update_function_configuration(FunctionName=FN, MemorySize=256),
        w.tag(manifest("1.3.0")),
    ),
    "cloudformation": lambda w: (
        w.update_code("B"),
        w.lam.update_function_configuration(FunctionName=FN, Timeout=10),
        w.tag(manifest("1.3.0")),
    ),
    "terraform": _terraform,
}


@pytest.mark.parametrize("order", sorted(RELEASES))
def test_every_release_order_registers_once_and_runs_the_new_build(world, order):
    world.agent("follower", "slug")
    world.bus.drain()
    RELEASES[order](world)
    world.settle()
    events = world.bus.tool_events()
    assert events == [("ToolRegistered", "1.3.0")], events
    record = world.registry.get("slug")
    assert record.version == "1.3.0"
    published = world.lam.get_function(FunctionName=FN, Qualifier=record.lambda_version)["Configuration"]
    assert published["CodeSha256"] == record.code_sha256
    expected = "A" if order == "configuration_then_tags" else "B"
    assert world.agents.wait("follower", timeout=60).status == "ready"
    assert world.run("follower") == expected


def test_a_tag_only_release_waits_for_code_then_registers_the_same_build(world):
    world.tag(manifest("1.2.0", description="Makes a slug (better docs)."))
    world.settle()  # no code followed within the grace window: a manifest-only release
    assert world.bus.tool_events() == [("ToolRegistered", "1.2.0")]
    old, new = world.registry.get("slug", "1.1.0"), world.registry.get("slug", "1.2.0")
    assert new.lambda_arn == old.lambda_arn  # nothing changed since 1.1.0 was published


def test_lifecycle_and_rollback_through_the_cli(world):
    from sfa.cli import app

    cli = CliRunner()
    world.update_code("B")
    world.tag(manifest("2.0.0"))
    world.settle()
    world.agent("floating", "slug")
    world.agent("pinned", "slug@2.0.0")
    world.bus.drain()
    assert world.run("floating") == "B"

    rolled = cli.invoke(app, ["tools", "rollback", "slug", "--to", "1.1.0", "--reason", "2.0.0 slugs wrong"])
    assert rolled.exit_code == 0, rolled.output
    world.settle()
    assert world.registry.get("slug").version == "1.1.0"  # latest, with no redeploy
    assert world.run("floating") == "A"
    assert world.bus.tool_events() == [("ToolUpdated", "2.0.0")]  # 2.0.0 deprecated
    pinned = world.agents.wait("pinned", timeout=60)
    assert world.run("pinned") == "B" and any("deprecated" in w for w in pinned.warnings)

    disabled = cli.invoke(app, ["tools", "disable", "slug@2.0.0", "--reason", "broken", "--json"])
    assert disabled.exit_code == 0, disabled.output
    world.settle()
    events = world.bus.drain()
    assert [(e["type"], e["version"]) for e in events if e["type"].startswith("Tool")] == [
        ("ToolDeregistered", "2.0.0")
    ]
    # the agent pinned to the disabled version cannot be regenerated: it keeps its last good version
    assert [e["agent_name"] for e in events if e["type"] == "AgentRegenerationFailed"] == ["pinned"]
    assert world.agents.get("pinned").live_version_arn
    assert world.run("pinned") == "B"

    activated = cli.invoke(app, ["tools", "activate", "slug@2.0.0", "--reason", "fixed upstream"])
    assert activated.exit_code == 0, activated.output
    world.settle()
    assert world.bus.tool_events() == [("ToolRegistered", "2.0.0")]
    assert world.registry.get("slug").version == "2.0.0"

    shown = cli.invoke(app, ["tools", "show", "slug", "--version", "2.0.0"])
    assert shown.exit_code == 0, shown.output
    assert (
        "broken" in shown.output and "fixed upstream" in shown.output and "sfa tools disable" in shown.output
    )
    record = world.registry.get("slug", "2.0.0")
    assert [h.action for h in record.history] == ["registered", "updated", "deregistered", "registered"]
    assert record.history[1].reason == "rolled back to 1.1.0: 2.0.0 slugs wrong"

    unknown = cli.invoke(app, ["tools", "deprecate", "slug@9.9.9", "--reason", "x"])
    assert unknown.exit_code == 1 and "not registered" in unknown.output


def test_prune_deletes_only_lambda_versions_nothing_can_run(world):
    from sfa.cli import app

    cli = CliRunner()
    world.update_code("B")
    world.tag(manifest("2.0.0"))
    world.settle()
    world.agent("old", "slug@^1")  # names 1.1.0's Lambda version in a published agent version
    disable = cli.invoke(app, ["tools", "disable", "slug@1.1.0", "--reason", "retired"])
    assert disable.exit_code == 0, disable.output
    world.settle()
    listed = cli.invoke(app, ["tools", "prune", "--older-than", "0", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)["versions"] == []  # an agent version still names it

    world.agents.delete("old")
    world.settle()
    world.agents.wait("old", timeout=60, deleted=True)
    listed = cli.invoke(app, ["tools", "prune", "--older-than", "0", "--json"])
    [candidate] = json.loads(listed.output)["versions"]
    assert (candidate["lambda_arn"], candidate["refs"]) == (f"{ARN}:1", ["slug@1.1.0"])
    assert world.lam.get_function(FunctionName=FN, Qualifier="1")  # a dry run deletes nothing

    pruned = cli.invoke(app, ["tools", "prune", "--older-than", "0", "--yes"])
    assert pruned.exit_code == 0 and f"deleted: {ARN}:1" in pruned.output, pruned.output
    with pytest.raises(world.lam.exceptions.ResourceNotFoundException):
        world.lam.get_function(FunctionName=FN, Qualifier="1")
    assert world.registry.get("slug", "1.1.0").status_reason == "version_deleted"
    refused = cli.invoke(app, ["tools", "activate", "slug@1.1.0", "--reason", "oops"])
    assert refused.exit_code == 1 and "version_deleted" in refused.output
    assert world.registry.get("slug").version == "2.0.0"
