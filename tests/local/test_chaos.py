"""Chaos: 200 tool operations with duplicated (20%), reordered (20%) and dropped (5%) CloudTrail
events. After one reconciler pass the registry and the agents equal the truth computed from the
final state of the functions."""

from __future__ import annotations

import random
from dataclasses import dataclass

from agent_templates import validate_agent_spec
from control_plane.agents import AgentRegistry
from control_plane.registry import ToolRegistry
from local.cloudtrail_pump import Chaos
from local.controlplane import LocalControlPlane
from local.testing import build_zip, ensure_lambda_role
from tool_sdk import encode_manifest_tags, validate_manifest
from tool_sdk.tags import manifest_tag_keys

FUNCTIONS = 16
OPERATIONS = 200


@dataclass
class Fn:
    """What we did to one function: the truth the platform must converge to."""

    name: str
    tool: str
    exists: bool = False
    tagged: bool = False
    version: int = 0
    build: int = 0


def manifest(fn: Fn):
    data = {
        "name": fn.tool,
        "version": f"1.{fn.version}.0",
        "description": f"{fn.tool} tool.",
        "input_schema": {"type": "object", "properties": {"x": {"type": "string"}}},
        "tags": ["chaos"],
    }
    return validate_manifest(data, portability=False)[0]


def code(fn: Fn) -> bytes:
    return build_zip({"app.py": f"BUILD = {fn.build}\ndef handler(event, context):\n    return BUILD\n"})


def operate(lam, role: str, fn: Fn, rng: random.Random) -> str:
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{fn.name}"
    if not fn.exists:
        fn.exists, fn.tagged, fn.version, fn.build = True, True, fn.version + 1, fn.build + 1
        lam.create_function(
            FunctionName=fn.name,
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": code(fn)},
            Tags=encode_manifest_tags(manifest(fn)),
        )
        return "create"
    op = rng.choices(["deploy", "untag", "retag", "delete"], weights=[5, 2, 2, 1])[0]
    if op == "deploy" and fn.tagged:  # a deploy: code first, then the new version's tags
        fn.build, fn.version = fn.build + 1, fn.version + 1
        lam.update_function_code(FunctionName=fn.name, ZipFile=code(fn))
        lam.tag_resource(Resource=arn, Tags=encode_manifest_tags(manifest(fn)))
        return "deploy"
    if op == "untag" and fn.tagged:
        keys = manifest_tag_keys(lam.list_tags(Resource=arn)["Tags"])
        lam.untag_resource(Resource=arn, TagKeys=keys)
        fn.tagged = False
        return "untag"
    if op in ("retag", "deploy", "untag") and not fn.tagged:
        fn.version += 1
        lam.tag_resource(Resource=arn, Tags=encode_manifest_tags(manifest(fn)))
        fn.tagged = True
        return "retag"
    lam.delete_function(FunctionName=fn.name)
    fn.exists = fn.tagged = False
    return "delete"


def test_two_hundred_operations_under_chaos_converge_after_one_reconciler_pass(aws):
    chaos = Chaos(duplicate=0.2, reorder=0.2, drop=0.05, seed=11)
    plane = LocalControlPlane(aws, environ={"SFA_RELEASE_GRACE_SECONDS": "1"}, chaos=chaos).start()
    try:
        agents = AgentRegistry("AgentRegistry-dev", aws.client("dynamodb"))
        agents.apply(
            validate_agent_spec({"name": "chaotic", "model": "offline:default", "tools": ["tag:chaos"]})
        )
        rng = random.Random(5)
        fns = [Fn(f"tool-c{i}-dev", f"c{i}") for i in range(FUNCTIONS)]
        lam, role = aws.client("lambda"), ensure_lambda_role(aws)
        done = [operate(lam, role, rng.choice(fns), rng) for _ in range(OPERATIONS)]
        assert len(done) == OPERATIONS and {"create", "deploy", "untag", "retag", "delete"} <= set(done)
        plane.settle(timeout=120)
        stats = plane.pump.stats
        assert stats.duplicated and stats.reordered and stats.dropped, stats
        # A later event of the same function repairs most drops (the registrar re-reads), so lose
        # the last events of a few functions outright: only the reconciler can repair those.
        plane.pump.chaos = Chaos(drop=1.0)
        for fn in fns[:4]:
            operate(lam, role, fn, rng)
        plane.settle(timeout=60)
        registry = ToolRegistry("ToolRegistry-dev", aws.client("dynamodb"))
        truth = {fn.tool: f"1.{fn.version}.0" for fn in fns if fn.exists and fn.tagged}
        assert {r.name: r.version for r in registry.list()} != truth

        summary = plane.reconcile()
        plane.settle(timeout=120)
        assert summary["repaired"] >= 1 and not summary["errors"], summary

        assert {r.name: r.version for r in registry.list()} == truth  # latest = the current release
        for fn in fns:
            history = registry.history(fn.tool) if fn.version else []
            active = [r for r in history if r.status == "active"]
            if fn.tool not in truth:
                assert active == [], (fn, history)
            for r in active:  # older releases stay callable, each on the code it was registered with
                published = lam.get_function(FunctionName=fn.name, Qualifier=r.lambda_version)
                assert published["Configuration"]["CodeSha256"] == r.code_sha256, (fn, r.ref)

        agent = agents.wait("chaotic", timeout=60)
        assert agent.status == "ready", agent.last_error
        assert {t.ref for t in agent.resolved_tools} == {f"{t}@{v}" for t, v in truth.items()}
    finally:
        plane.stop()
