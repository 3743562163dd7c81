"""Local mode end to end: a tool update until the agent's ``live`` alias uses it, and 50 concurrent runs.

``deploy_to_live_ms``: a normal release — new code and the new version's tags, in alternating order
(code then tags, tags then code), through the endpoint as a deploy tool would — from its first call
until the agent's ``live`` alias points to a state machine version that resolves that tool version:
CloudTrail recorder → EventBridge rule → registrar Lambda (re-read, validate, PublishVersion,
registry write) → ToolRegistry stream → regenerator Lambda → UpdateStateMachine + alias. It is
platform time on this machine's emulator: AWS adds CloudTrail's delivery delay (typically seconds to
minutes), which no platform code can remove. The grace window is 1 s here; it does not delay a
release that completes (its re-check finds nothing to do), only the settle between releases.

``release_events_per_update``: registration events (ToolRegistered/ToolUpdated) per release, read
from the registry bus (goal: exactly 1); ``release_rejections``: ToolRejected events (goal: 0).

``concurrent_runs_50``: 50 executions started at once on the live alias (offline provider, one tool
call each), all awaited; the count that succeeded and the throughput.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import percentile

DEPLOYS = 15
RUNS = 50


def _manifest(version: str):
    from tool_sdk import validate_manifest

    data = {
        "name": "echo",
        "version": version,
        "description": "Echoes its input.",
        "input_schema": {"type": "object", "properties": {"n": {"type": "integer"}}},
        "tags": ["bench"],
    }
    return validate_manifest(data, portability=False)[0]


def _subscribe(aws) -> tuple:
    """An SQS queue receiving every registry event (the bus's rule with an SQS target)."""
    sqs, bus = aws.client("sqs"), aws.client("events")
    url = sqs.create_queue(QueueName="bench-registry-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = json.dumps({"source": ["sfn-agents.registry"]})
    bus.put_rule(Name="bench-capture", EventBusName="sfa-registry-dev", EventPattern=pattern)
    bus.put_targets(Rule="bench-capture", EventBusName="sfa-registry-dev", Targets=[{"Id": "q", "Arn": arn}])
    return sqs, url


def _drain(events: tuple) -> list[str]:
    sqs, url = events
    kinds: list[str] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for m in messages:
            kinds.append(json.loads(m["Body"])["detail-type"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return kinds


def run() -> dict[str, dict]:
    from agent_templates import validate_agent_spec
    from control_plane.agents import AgentRegistry
    from control_plane.agents.runs import AgentRunner
    from local import LocalAws
    from local.controlplane import LocalControlPlane
    from local.testing import build_zip, ensure_lambda_role, wait_for_execution
    from tool_sdk import encode_manifest_tags

    with LocalAws() as aws:
        plane = LocalControlPlane(aws, environ={"SFA_RELEASE_GRACE_SECONDS": "1"}).start()
        try:
            lam = aws.client("lambda")
            events = _subscribe(aws)
            arn = lam.create_function(
                FunctionName="tool-echo-bench",
                Runtime="python3.12",
                Role=ensure_lambda_role(aws),
                Handler="app.handler",
                Code={"ZipFile": build_zip({"app.py": "def handler(e, c):\n    return e\n"})},
                Tags=encode_manifest_tags(_manifest("1.0.0")),
            )["FunctionArn"]
            plane.settle()
            agents = AgentRegistry("AgentRegistry-dev", aws.client("dynamodb"))
            agents.apply(
                validate_agent_spec({"name": "bench", "model": "offline:default", "tools": ["tag:bench"]})
            )
            agents.wait("bench", timeout=60)
            plane.settle()

            samples = []
            _drain(events)
            registrations, rejections = [], 0
            for i in range(1, DEPLOYS + 1):
                version = f"1.{i}.0"
                code = build_zip({"app.py": f"BUILD = {i}\ndef handler(e, c):\n    return e\n"})
                tags = encode_manifest_tags(_manifest(version))
                calls = [
                    ("update_function_code", {"FunctionName": "tool-echo-bench", "ZipFile": code}),
                    ("tag_resource", {"Resource": arn, "Tags": tags}),
                ]
                started = time.perf_counter()
                for method, params in calls if i % 2 else reversed(calls):
                    getattr(lam, method)(**params)
                while True:
                    record = agents.get("bench", consistent=False)
                    live = record is not None and record.live_version_arn and record.alias_arn
                    if live and any(t.ref == f"echo@{version}" for t in record.resolved_tools):
                        break
                    if time.perf_counter() - started > 30:
                        raise RuntimeError(f"echo@{version} never reached the live alias")
                    time.sleep(0.005)
                samples.append((time.perf_counter() - started) * 1000)
                plane.settle()
                kinds = [k for k in _drain(events) if k.startswith("Tool")]
                registrations.append(sum(k in ("ToolRegistered", "ToolUpdated") for k in kinds))
                rejections += kinds.count("ToolRejected")

            runner = AgentRunner(agents, aws.client("stepfunctions"))
            started = time.perf_counter()
            arns = [runner.start("bench", {"prompt": f'echo {{"n": {i}}}'}) for i in range(RUNS)]
            with ThreadPoolExecutor(max_workers=10) as pool:
                done = list(pool.map(lambda a: wait_for_execution(aws, a, timeout=300), arns))
            elapsed = time.perf_counter() - started
            ok = sum(
                1
                for d in done
                if d["status"] == "SUCCEEDED" and json.loads(d["output"])["status"] == "completed"
            )
        finally:
            plane.stop()
    return {
        "deploy_to_live_ms_p50": {
            "value": round(percentile(samples, 50), 1),
            "unit": "ms",
            "goal": 1000,
            "samples": [round(s, 1) for s in samples],
        },
        "deploy_to_live_ms_p95": {"value": round(percentile(samples, 95), 1), "unit": "ms"},
        "release_events_per_update": {
            "value": round(sum(registrations) / len(registrations), 3),
            "unit": "events",
            "goal": 1,
            "samples": registrations,
        },
        "release_rejections": {"value": rejections, "unit": "events", "goal": 0, "releases": DEPLOYS},
        "concurrent_runs_50_ok": {"value": ok, "unit": "runs", "of": RUNS},
        "concurrent_runs_50_per_s": {
            "value": round(RUNS / elapsed, 2),
            "unit": "runs/s",
            "wall_s": round(elapsed, 2),
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
