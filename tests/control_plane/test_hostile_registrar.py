"""Acceptance (issue 12): hostile manifests through the real registrar and reconciler on the emulator.

Whatever a function's tags hold, ``Registrar.sync`` returns a verdict (registered or rejected with
reasons that state the limit), never raises, and leaves the registry consistent; the reconciler
finishes its pass with a poisoned function among 50 and repairs the other 49.
"""

from __future__ import annotations

import itertools
import json
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import control_plane.registrar.sync as sync_module
from control_plane.reconciler import Reconciler
from control_plane.registrar.plan import highest_active
from control_plane.registry.codec import from_attribute_map, storability_problems
from control_plane.registry.records import FunctionBinding, ToolRecord
from tests.control_plane.helpers import manifest
from tests.control_plane.test_hostile_corpus import (
    CASES,
    MAX_TAGS,
    Case,
    deep_schema,
    enum_schema,
    manifest_text,
    raw_tags,
    ref_bomb,
    ref_chain,
    string_schema,
    wide_schema,
)
from tool_sdk.semver import is_semver

_ids = itertools.count()


def create(tools: Any, function_name: str, tags: dict[str, str]) -> None:
    from local.testing import build_zip

    tools.lambda_.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role=tools.role,
        Handler="app.handler",
        Code={"ZipFile": build_zip({"app.py": "def handler(e, c):\n    return e\n"})},
        Tags=tags,
    )


def assert_registry_consistent(cp: Any, table: str) -> None:
    """Every stored item is loadable and storable on AWS; latest pointers and tag items agree."""
    paginator = cp.client("dynamodb").get_paginator("scan")  # a Scan is fine in a test
    items = [
        from_attribute_map(raw)
        for page in paginator.paginate(TableName=table, ConsistentRead=True)
        for raw in page["Items"]
    ]
    partitions: dict[str, dict[str, dict[str, Any]]] = {}
    for item in items:
        assert storability_problems(item) == [], item["tool_name"]  # DynamoDB's 32 levels, numbers
        partitions.setdefault(item["tool_name"], {})[item["version"]] = item
    for pk, part in partitions.items():
        if pk.startswith("function#"):
            FunctionBinding.from_item(part["binding"])
            continue
        versions = [i for sk, i in part.items() if is_semver(sk)]
        assert versions and "owner" in part, pk
        for version in versions:
            ToolRecord.from_item(version).manifest()  # within every limit
        best = highest_active(versions)
        latest = part.get("latest")
        assert (latest is None) == (best is None), pk
        tags = {sk for sk in part if sk.startswith("tag#")}
        if latest is not None and best is not None:
            assert latest["resolved_version"] == best["version"]
            assert tags == {f"tag#{t}" for t in latest.get("tags", [])}
        else:
            assert tags == set()


def sync_and_check(
    tools: Any, registrar: Any, publisher: Any, cp: Any, tags: dict[str, str]
) -> tuple[Any, list[Any]]:
    """Sync a new function carrying ``tags``; returns the result and the ToolRejected events."""
    function_name = f"tool-hostile{next(_ids)}-test"
    create(tools, function_name, tags)
    publisher.clear()
    result = registrar.sync(function_name)  # must not raise, whatever the tags hold
    assert result.outcome in ("registered", "rejected"), result
    rejections = publisher.of("ToolRejected")
    if result.outcome == "rejected":
        (event,) = rejections
        assert event.reasons and all(r.message for r in event.reasons)
        assert not any("could not be judged" in r.message for r in event.reasons), event.reasons
        assert registrar.registry.binding(function_name) is None  # nothing written
    else:
        record = registrar.registry.get(result.tool_name, result.version, consistent=True)
        assert record.lambda_function_name == function_name
    assert registrar.sync(function_name).outcome in ("noop", "rejected")  # a replay changes nothing
    assert_registry_consistent(cp, registrar.config.tool_table)
    return result, rejections


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_hostile_corpus_through_the_registrar(cp, tools, registrar, publisher, case: Case):
    result, rejections = sync_and_check(tools, registrar, publisher, cp, case.tags)
    assert result.outcome == ("registered" if case.verdict == "serving" else "rejected")
    for event in rejections:
        assert any(case.says in r.message for r in event.reasons), event.reasons


@st.composite
def hostile_tags(draw: Any) -> dict[str, str]:
    kind = draw(st.sampled_from(["deep", "wide", "refs", "chain", "enum", "string", "unicode", "bomb"]))
    name = f"hostile_{draw(st.integers(0, 10**9))}"
    if kind == "deep":
        schema = deep_schema(draw(st.integers(0, 400)))
    elif kind == "wide":
        schema = wide_schema(draw(st.integers(0, 2200)))
    elif kind == "refs":
        schema = ref_bomb(draw(st.integers(0, 30)), draw(st.integers(1, 7)), recursive=draw(st.booleans()))
    elif kind == "chain":
        schema = ref_chain(draw(st.integers(0, 120)))
    elif kind == "enum":
        schema = enum_schema(draw(st.integers(0, 1200)))
    elif kind == "string":
        text = draw(st.sampled_from(["x", "ab", "\ud800", "🙂", "\u0000", '"\\']))
        schema = string_schema(draw(st.integers(0, 150_000)), text)
    elif kind == "unicode":
        words = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
        props = draw(st.dictionaries(words, st.just({"type": "string"}), max_size=5))
        schema = json.dumps({"type": "object", "properties": props}, ensure_ascii=draw(st.booleans()))
    else:
        filler = draw(st.sampled_from([b" ", b"\0", b"[", b"9"]))
        raw = (
            b'{"name":"' + name.encode() + b'","version":"1.0.0",' + filler * draw(st.integers(0, 4_000_000))
        )
        tags = raw_tags(raw + b'"description":"x","input_schema":{}}', name=name)
        assume(len(tags) <= MAX_TAGS + 3)
        return tags
    tags = raw_tags(manifest_text(schema, name=name), name=name)
    assume(len(tags) <= MAX_TAGS + 3)
    return tags


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(tags=hostile_tags())
def test_generated_hostile_manifests_get_a_verdict_and_leave_the_registry_consistent(
    cp, tools, registrar, publisher, tags
):
    sync_and_check(tools, registrar, publisher, cp, tags)


def test_reconciler_finishes_its_pass_with_a_poisoned_function_among_50(cp, tools, registrar, monkeypatch):
    for i in range(49):
        tools.create(f"tool-fleet{i:02d}-test", manifest(f"fleet_{i:02d}", "1.0.0"))
    poisoned = "tool-poisoned-test"
    create(tools, poisoned, raw_tags(manifest_text(deep_schema(100)), name="poisoned"))
    real = sync_module.interpret

    def crashing(snapshot: Any, config: Any, observed_at: str) -> Any:
        if snapshot.function_name == poisoned:  # what content did before the limits: RecursionError
            raise RecursionError("maximum recursion depth exceeded")
        return real(snapshot, config, observed_at)

    monkeypatch.setattr(sync_module, "interpret", crashing)
    reconciler = Reconciler(registrar, cp.client("resourcegroupstaggingapi"))
    report = reconciler.run()
    assert report.checked == 50
    assert report.errors == [(poisoned, "RecursionError: maximum recursion depth exceeded")]
    assert report.outcomes == {"registered": 49}
    assert len(registrar.registry.list()) == 49

    monkeypatch.setattr(sync_module, "interpret", real)  # the content itself: a verdict, not an error
    again = reconciler.run()
    assert again.errors == [] and again.outcomes == {"noop": 49, "rejected": 1}
    (rejected,) = [r for r in again.results if r.outcome == "rejected"]
    assert rejected.function_name == poisoned and rejected.reasons == ("invalid_manifest:",)
    assert_registry_consistent(cp, registrar.config.tool_table)


def test_recursion_limit_is_pythons_default_with_local_mode_started(aws):
    from local.jsonata_eval import evaluate

    assert evaluate("($x := [1, 2, 3]; $sum($x))") == 6  # jsonata imported and used
    assert sys.getrecursionlimit() == 1000
