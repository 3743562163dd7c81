"""``sfa events tail``: subscribe to the registry bus, as any subscriber would (docs/design.md §5).

A subscription is an EventBridge rule on ``sfa-registry-{env}`` with a queue target; ``tail``
creates its own for the duration of the command and removes it on exit.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Annotated

import typer

from sfa.output import fail, out

__all__ = ["app"]

app = typer.Typer(help="Registry change events.", no_args_is_help=True)


@app.command("tail")
def tail(
    detail_type: Annotated[
        list[str] | None, typer.Option("--type", help="Only these detail types (repeatable).")
    ] = None,
    count: Annotated[int, typer.Option(help="Stop after this many events (0: never).")] = 0,
    timeout: Annotated[float, typer.Option(help="Stop after this many seconds (0: never).")] = 0.0,
    env: Annotated[str | None, typer.Option(help="Environment.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON event per line.")] = False,
) -> None:
    """Print registry events as they happen."""
    from control_plane.config import registry_bus_name
    from control_plane.events import EVENT_SOURCE
    from sfa.context import aws_client, resolve_env

    bus = registry_bus_name(resolve_env(env))
    events, sqs = aws_client("events"), aws_client("sqs")
    suffix = uuid.uuid4().hex[:8]
    name = f"sfa-tail-{suffix}"
    pattern: dict = {"source": [EVENT_SOURCE]}
    if detail_type:
        pattern["detail-type"] = list(detail_type)
    try:
        queue = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "tail", "Arn": arn}])
    except Exception as exc:
        fail(f"cannot subscribe to {bus}: {exc}")
    seen, started = 0, time.monotonic()
    try:
        while (not count or seen < count) and (not timeout or time.monotonic() - started < timeout):
            for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                event = json.loads(message["Body"])
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                seen += 1
                if json_output:
                    typer.echo(json.dumps(event, sort_keys=True))
                else:
                    out.print(describe_event(event), markup=False)
                if count and seen >= count:
                    break
    except KeyboardInterrupt:
        pass
    finally:
        events.remove_targets(Rule=name, EventBusName=bus, Ids=["tail"])
        events.delete_rule(Name=name, EventBusName=bus)
        sqs.delete_queue(QueueUrl=queue)


def describe_event(event: dict) -> str:
    """One readable line for a registry event."""
    detail = event.get("detail", {})
    kind = event.get("detail-type", "?")
    subject = detail.get("tool_name") or detail.get("agent_name") or detail.get("function_name") or ""
    if detail.get("version"):
        subject += f"@{detail['version']}"
    extra = ""
    if kind == "ToolRejected":
        extra = " — " + "; ".join(
            f"{r.get('path')}: {r.get('message')}" if r.get("path") else str(r.get("message"))
            for r in detail.get("reasons", [])
        )
    elif kind == "ToolDeregistered":
        extra = f" — {detail.get('reason')}"
    elif kind == "AgentRegenerated":
        tools = ", ".join(f"{t['tool_name']}@{t['version']}" for t in detail.get("resolved_tools", []))
        extra = f" — live → {detail.get('version_arn', '').rsplit(':', 1)[-1]} [{tools}]"
    elif kind == "AgentRegenerationFailed":
        extra = f" — {detail.get('error_type')}: {detail.get('error_message')}"
    elif kind == "ToolApprovalRequested":
        digest = str(detail.get("input_sha256") or "-")[:12]
        extra = f" — {detail.get('tool_name')}, input sha256 {digest}… (sfa approve|deny TOKEN)"
    return f"{kind:<24} {subject}{extra}"
