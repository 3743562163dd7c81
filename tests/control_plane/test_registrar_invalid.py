"""Hypothesis: invalid manifests never raise, never write, always produce a ToolRejected with reasons."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from control_plane.registrar.handler import handle
from tests.control_plane.helpers import event_for, manifest, manifest_data, raw_manifest_tags
from tool_sdk.errors import ManifestValidationError
from tool_sdk.manifest import NAME_PATTERN, validate_manifest
from tool_sdk.tags import manifest_tag_keys

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_bad_value = {
    "name": st.text(max_size=80).filter(lambda s: not re.match(NAME_PATTERN, s.strip())) | st.integers(),
    "version": st.text(max_size=20) | st.integers(),
    "description": st.just("") | st.just("x" * 1025) | st.integers() | st.lists(st.text(), max_size=2),
    "input_schema": st.sampled_from(
        [
            {"type": "array"},
            {"type": "strnig"},
            {"type": "object", "properties": 5},
            {"type": "object", "required": "value"},
            {"type": "object", "minimum": "zero"},
            [],
            "object",
        ]
    ),
    "output_schema": st.sampled_from([{"type": 7}, "none", []]),
    "language": st.text(max_size=10).filter(
        lambda s: not re.fullmatch(r"[a-z0-9]([a-z0-9._-]*[a-z0-9])?", s)
    ),
    "tags": st.lists(st.sampled_from(["UPPER", "has space", "", "dup", "dup", "-x"]), min_size=1, max_size=4),
    "human_approval_required": st.sampled_from(["maybe", 2, [True]]),
    "status": st.text(max_size=10),
    "secrets": st.lists(st.sampled_from(["bad/name", " ", "ok"]), min_size=1, max_size=3),
    "timeout_seconds": st.integers(max_value=0) | st.integers(min_value=901) | st.text(max_size=3),
}
_mutation = st.one_of(
    *[st.tuples(st.just("set"), st.just(k), v) for k, v in _bad_value.items()],
    st.tuples(
        st.just("drop"), st.sampled_from(["name", "version", "description", "input_schema"]), st.none()
    ),
    st.tuples(st.just("extra"), st.text(min_size=1, max_size=10), _json),
)
_not_a_mapping = st.lists(_json, max_size=3) | st.integers() | st.text(max_size=20) | st.none()


def _is_valid(data: Any) -> bool:
    try:
        validate_manifest(data)
    except ManifestValidationError:
        return False
    return True


@st.composite
def invalid_manifest_data(draw: Any) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(_not_a_mapping)
    data = manifest_data("guarded", "1.1.0")
    for kind, key, value in draw(st.lists(_mutation, min_size=1, max_size=3)):
        if kind == "drop":
            data.pop(key, None)
        else:
            data[key] = value
    assume(not _is_valid(data))
    return data


@st.composite
def broken_tags(draw: Any) -> dict[str, str]:
    """Valid manifest, broken tag set: a missing part, a foreign digest, a wrong readable tag, …"""
    tags = raw_manifest_tags(manifest_data("guarded", "1.2.0", description="d" * draw(st.integers(1, 900))))
    how = draw(st.sampled_from(["drop_part", "digest", "name_tag", "version_tag", "garbage", "no_digest"]))
    if how == "drop_part":
        del tags["agent-tool:m00"]
    elif how == "digest":
        tags["agent-tool:digest"] = tags["agent-tool:digest"][:-4] + "0000"
    elif how == "name_tag":
        tags["agent-tool:name"] = "someone_else"
    elif how == "version_tag":
        tags["agent-tool:version"] = "9.9.9"
    elif how == "garbage":
        tags["agent-tool:m00"] = "!!" + tags["agent-tool:m00"][2:]
    else:
        del tags["agent-tool:digest"]
    return tags


def _dump(cp: Any, table: str) -> list[dict]:
    # A Scan is fine in a test: it is the whole-table comparison "nothing was written".
    items = cp.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda i: (i["tool_name"]["S"], i["version"]["S"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tags=st.one_of(invalid_manifest_data().map(raw_manifest_tags), broken_tags()))
def test_invalid_manifests_are_rejected_without_writes(cp, tools, registrar, registry, publisher, tags):
    if registry.binding("fn-guarded") is None:
        tools.create("fn-guarded", manifest("guarded", "1.0.0"))
        assert registrar.sync("fn-guarded").outcome == "registered"
    arn = tools.arn("fn-guarded")
    current = manifest_tag_keys(tools.lambda_.list_tags(Resource=arn)["Tags"])
    tools.lambda_.untag_resource(Resource=arn, TagKeys=current)
    tools.lambda_.tag_resource(Resource=arn, Tags=tags)
    before = _dump(cp, registry.table_name)
    publisher.clear()

    out = handle(event_for("TagResource", arn), registrar)  # must not raise

    assert out["outcome"] == "rejected", out
    assert _dump(cp, registry.table_name) == before
    [event] = publisher.events
    assert event.DETAIL_TYPE == "ToolRejected" and event.reasons
    assert all(r.message for r in event.reasons)
    assert registry.get("guarded").version == "1.0.0"  # the last good version stays live
