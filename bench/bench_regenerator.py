"""Regenerator: AWS calls for one tool change with 100 agents, of which 1 selects the tool.

On the local emulator: the target tool is a real tagged Lambda registered by the registrar; 99
other agents select other tools (by name and by tag). A new version of the target is registered and
the ToolRegistry stream records it produced go through the regenerator's Lambda handler with every
AWS client wrapped by a counting proxy.

* ``regen_aws_calls_per_change_100_agents``: calls for that change (index lookup, agent read,
  resolution reads, lease, grant, publish, alias, revoke, commit, event). ``baseline``: the same
  change handled without the tool→agents index — every agent re-read, re-resolved and compared by
  hash (registry reads shared across the batch), still deploying only the one that changed.
* ``regen_aws_calls_noop_change``: a registry rewrite that changes nothing an agent renders.

Run with ``python bench/bench_regenerator.py`` or ``python -m bench --only regenerator`` (~20 s, most
of it the initial rendering of the 100 agents).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ENV = "bench"
AGENTS = 100
OTHER_TOOLS = 20


def _setup(aws: Any) -> tuple[Any, Any, Any]:
    from agent_templates import validate_agent_spec
    from control_plane.agents import AgentRegistry
    from control_plane.config import ControlPlaneConfig
    from control_plane.registrar.sync import Registrar
    from control_plane.registry import create_tables
    from local.testing import create_function
    from tests.control_plane.helpers import RecordingPublisher, manifest, tags_for
    from tests.control_plane.regenerator.helpers import bulk_tool_items, create_boundary, put_items

    config = ControlPlaneConfig(env=ENV)
    create_tables(aws.client("dynamodb"), ENV)
    aws.client("events").create_event_bus(Name=config.bus_name)
    create_boundary(aws, ENV, config.bus_name)
    others = [f"other_{i:02d}" for i in range(OTHER_TOOLS)]
    put_items(aws, config.tool_table, bulk_tool_items(others, "misc", lambda n: f"tool-{n}-{ENV}"))
    code = {"app.py": "def handler(event, context):\n    return event\n"}
    create_function(
        aws, f"tool-target-{ENV}", code, "app.handler", tags=tags_for(manifest("target", "1.0.0"))
    )
    registrar = Registrar(
        config,
        lambda_client=aws.client("lambda"),
        dynamodb_client=aws.client("dynamodb"),
        publisher=RecordingPublisher(),
    )
    assert registrar.sync(f"tool-target-{ENV}").outcome == "registered"
    agents = AgentRegistry(config.agent_table, aws.client("dynamodb"))
    for i in range(AGENTS):
        tools = ["target@^1"] if i == 0 else [f"{others[i % OTHER_TOOLS]}@^1", "tag:misc"]
        spec = {"name": f"agent-{i:03d}", "model": "offline:default", "system": "Help.", "tools": tools}
        agents.apply(validate_agent_spec(spec))
    return config, registrar, agents


def _regenerator(aws: Any, config: Any, counter: Any) -> Any:
    from control_plane.agents import AgentRegistry
    from control_plane.events import EventBridgePublisher
    from control_plane.regenerator import Regenerator, RegeneratorConfig
    from control_plane.registry import ToolRegistry

    ddb = counter.wrap("dynamodb", aws.client("dynamodb"))
    rconfig = RegeneratorConfig.build(config, region=aws.region, account_id=aws.account_id)
    return Regenerator(
        rconfig,
        agents=AgentRegistry(config.agent_table, ddb),
        tools=ToolRegistry(config.tool_table, ddb),
        sfn=counter.wrap("stepfunctions", aws.client("stepfunctions")),
        iam=counter.wrap("iam", aws.client("iam")),
        publisher=EventBridgePublisher(config.bus_name, counter.wrap("events", aws.client("events"))),
    )


def _new_version(aws: Any, registrar: Any, version: str) -> None:
    from tests.control_plane.helpers import manifest, retag, tags_for

    arn = f"arn:aws:lambda:{aws.region}:{aws.account_id}:function:tool-target-{ENV}"
    retag(aws.client("lambda"), arn, tags_for(manifest("target", version)))
    assert registrar.sync(f"tool-target-{ENV}").outcome in ("registered", "updated")


def run() -> dict[str, dict]:
    from control_plane.regenerator import handler
    from control_plane.regenerator.changes import AgentChange
    from control_plane.regenerator.counting import CallCounter
    from local.emulator import LocalAws
    from tests.control_plane.regenerator.helpers import StreamTap

    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    handler.logger.setLevel("WARNING")  # one INFO line per agent would flood the output
    with LocalAws() as aws:
        config, registrar, agents = _setup(aws)
        counter = CallCounter()
        regen = _regenerator(aws, config, counter)
        agent_tap, tool_tap = StreamTap(aws, config.agent_table), StreamTap(aws, config.tool_table)
        assert handler.handle(agent_tap.event(), regen) == {"batchItemFailures": []}
        tool_tap.skip()
        counter.reset()

        _new_version(aws, registrar, "1.1.0")
        event = tool_tap.event()
        started = time.perf_counter()
        assert handler.handle(event, regen) == {"batchItemFailures": []}
        elapsed_ms = (time.perf_counter() - started) * 1000
        indexed = counter.by_operation()
        updated = {p["stateMachineArn"] for p in counter.of("stepfunctions", "update_state_machine")}
        assert agents.get("agent-000").live_version_arn.endswith(":2")

        counter.reset()  # baseline: the next version, every agent re-resolved (no index)
        _new_version(aws, registrar, "1.2.0")
        tool_tap.skip()
        records = agents.list()
        started = time.perf_counter()
        outcomes = regen.process([], [AgentChange(r.name, r.generation) for r in records])
        baseline_ms = (time.perf_counter() - started) * 1000
        baseline = counter.total() + 2  # + the directory read and the batch read of agents.list()
        assert sorted(o.action for o in outcomes).count("deployed") == 1

        counter.reset()
        aws.client("dynamodb").update_item(
            TableName=config.tool_table,
            Key={"tool_name": {"S": "target"}, "version": {"S": "1.2.0"}},
            UpdateExpression="SET updated_at = :u",
            ExpressionAttributeValues={":u": {"S": "2030-01-01T00:00:00.000000Z"}},
        )
        assert handler.handle(tool_tap.event(), regen) == {"batchItemFailures": []}
        noop = counter.total()

    total = sum(indexed.values())
    return {
        "regen_aws_calls_per_change_100_agents": {
            "value": total,
            "unit": "calls",
            "baseline": baseline,
            "baseline_method": "no tool->agents index: every agent re-read, re-resolved, compared by hash",
            "by_operation": dict(sorted(indexed.items())),
            "agents_updated": len(updated),
            "stream_records": len(event["Records"]),
            "wall_ms": round(elapsed_ms, 1),
            "baseline_wall_ms": round(baseline_ms, 1),
        },
        "regen_aws_calls_noop_change": {"value": noop, "unit": "calls"},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
