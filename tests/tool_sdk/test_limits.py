"""The manifest limits (tool_sdk.limits): checked before expensive work, stated with what was measured."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import tool_sdk.tags as tags_module
from tests.tool_sdk.helpers import make_manifest_data
from tool_sdk import decode_manifest_tags, encode_manifest_tags, validate_manifest
from tool_sdk.bounds import ContentCache, json_text_depth, schema_limit_problems
from tool_sdk.errors import InvalidManifestInTagsError, ManifestValidationError
from tool_sdk.expansion import expansion_problem
from tool_sdk.limits import (
    MAX_DESCRIPTION_CHARS,
    MAX_ENUM_VALUES,
    MAX_EXPANDED_SCHEMA_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_SCHEMA_DEPTH,
    MAX_SCHEMA_STRING_CHARS,
    SCHEMA_CACHE_ENTRIES,
)
from tool_sdk.metaschema import _metaschema_validator, _problems_cache, schema_problems
from tool_sdk.portability import SchemaVerdict, check_portability, register_schema_checker
from tool_sdk.tags import DIGEST_TAG, MAX_PART_TAGS


def nested(levels: int) -> dict[str, Any]:
    """``levels`` nested object properties: 2 * levels + 1 JSON levels."""
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


def problems(**overrides: Any) -> dict[str, str]:
    with pytest.raises(ManifestValidationError) as info:
        validate_manifest(make_manifest_data(**overrides), portability=False)
    return {p.path: p.message for p in info.value.problems}


def raw_tags(raw: bytes) -> dict[str, str]:
    payload = base64.b64encode(zlib.compress(raw, 9)).decode()
    parts = [payload[i : i + 256] for i in range(0, len(payload), 256)]
    out = {
        DIGEST_TAG: f"v1.{len(parts)}.{hashlib.sha256(raw).hexdigest()}",
        "agent-tool:name": "convert_units",
    }
    out.update({f"agent-tool:m{i:02d}": p for i, p in enumerate(parts)})
    return out


def test_depth_limit_at_the_boundary_with_measured_value():
    assert MAX_SCHEMA_DEPTH == 24
    validate_manifest(make_manifest_data(input_schema=nested(11)), portability=False)  # 23 levels
    found = problems(input_schema=nested(12))  # 25 levels
    (path, message), *_ = found.items()
    assert path.startswith("input_schema.properties.a.properties")
    assert message == (
        "the schema nests 25 levels deep; the limit is 24 "
        "(each object property takes two: the schema and its properties map)"
    )


def test_a_self_referencing_python_object_is_measured_in_bounded_time():
    loop: dict[str, Any] = {"type": "object", "properties": {}}
    loop["properties"]["again"] = loop
    found = schema_limit_problems(loop)
    assert any("the limit is 24" in p.message for p in found)


def test_enum_and_string_limits():
    big_enum = {"type": "object", "properties": {"e": {"enum": list(range(MAX_ENUM_VALUES + 1))}}}
    assert problems(input_schema=big_enum) == {
        "input_schema.properties.e.enum": f"enum has {MAX_ENUM_VALUES + 1} values; the limit is 250"
    }
    text = "x" * (MAX_SCHEMA_STRING_CHARS + 1)
    long_string = {"type": "object", "properties": {"s": {"type": "string", "description": text}}}
    assert problems(input_schema=long_string) == {
        "input_schema.properties.s.description": "string of 2049 characters; the limit is 2048"
    }
    long_name = {"type": "object", "properties": {"n" * 3000: {"type": "string"}}}
    assert (
        "property or keyword name of 3000 characters"
        in problems(input_schema=long_name)[f"input_schema.properties.{'n' * 3000}"]
    )
    surrogate = {"type": "object", "properties": {"s": {"type": "string", "title": "\ud800"}}}
    assert "not valid Unicode" in problems(input_schema=surrogate)["input_schema.properties.s.title"]


def test_whole_manifest_size_limit_states_the_size():
    props = {f"f{i}": {"type": "string", "description": "y" * 1000} for i in range(17)}
    found = problems(input_schema={"type": "object", "properties": props})
    message = found["input_schema"] if "input_schema" in found else found[""]
    assert "16384" in message


def test_lone_surrogates_anywhere_are_rejected_not_raised():
    found = problems(description="text \ud800 more", author="\udfff")
    assert set(found) == {"description", "author"}  # pydantic refuses such text in str fields
    assert "unicode" in found["description"]


def test_build_metadata_is_rejected_in_manifest_versions():
    found = problems(version="1.0.0+evil")
    assert "build metadata" in found["version"] and "1.0.0" in found["version"]
    validate_manifest(make_manifest_data(version="1.0.0-rc.1"), portability=False)


def ref_bomb(levels: int, fanout: int = 2) -> dict[str, Any]:
    defs = {
        f"d{i}": {
            "type": "object",
            "properties": {f"p{j}": {"$ref": f"#/$defs/d{i + 1}"} for j in range(fanout)},
        }
        for i in range(levels)
    }
    defs[f"d{levels}"] = {"type": "string"}
    return {"type": "object", "properties": {"x": {"$ref": "#/$defs/d0"}}, "$defs": defs}


@pytest.mark.parametrize("levels", [16, 18, 40])
def test_nested_refs_used_twice_are_measured_without_expanding_them(levels):
    # Naively inlined, 2**40 leaves; measured with reuse and a budget, at once.
    message = expansion_problem(ref_bomb(levels))
    assert message is not None and "the limit is" in message


def test_wide_fanout_stops_at_the_size_budget():
    message = expansion_problem(ref_bomb(5, 6))
    assert message is not None and f"more than {MAX_EXPANDED_SCHEMA_BYTES} bytes" in message
    assert "at least" in message


def test_legitimate_reuse_is_accepted():
    unit = {"type": "string", "enum": ["m", "km", "mi"]}
    props = {f"p{i}": {"$ref": "#/$defs/unit"} for i in range(40)}
    schema = {"type": "object", "properties": props, "$defs": {"unit": unit}}
    assert expansion_problem(schema) is None
    assert expansion_problem(ref_bomb(6)) is None
    recursive = {"type": "object", "properties": {"n": {"$ref": "#"}, "v": {"type": "string"}}}
    assert expansion_problem(recursive) is None


def test_a_long_chain_of_refs_is_bounded():
    defs = {f"a{i}": {"$ref": f"#/$defs/a{i + 1}"} for i in range(200)}
    defs["a200"] = {"type": "string"}
    message = expansion_problem(
        {"type": "object", "properties": {"x": {"$ref": "#/$defs/a0"}}, "$defs": defs}
    )
    assert message is not None and "$refs nest more than 24" in message


def test_decompression_never_inflates_past_the_limit(monkeypatch):
    asked: list[int] = []
    real = zlib.decompressobj

    class Recording:
        def __init__(self) -> None:
            self.inner = real()

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            asked.append(max_length)
            out = self.inner.decompress(data, max_length)
            assert len(out) <= MAX_MANIFEST_BYTES + 1
            return out

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    monkeypatch.setattr(tags_module.zlib, "decompressobj", Recording)
    bomb = b'{"description":"' + b"a" * 6_000_000 + b'"}'
    tags = raw_tags(bomb)
    assert len(tags) <= 40  # the tag budget never bounded what it inflates to
    with pytest.raises(InvalidManifestInTagsError) as info:
        decode_manifest_tags(tags)
    assert asked == [MAX_MANIFEST_BYTES + 1]
    message = info.value.problems[0].message
    assert f"inflates to more than {MAX_MANIFEST_BYTES} bytes" in message and "compressed" in message


def test_part_count_and_part_size_limits_are_invalid_manifests_not_torn_tags():
    tags = encode_manifest_tags(validate_manifest(make_manifest_data())[0])
    digest = tags[DIGEST_TAG].rpartition(".")[2]
    claims = {**tags, DIGEST_TAG: f"v1.{MAX_PART_TAGS + 1}.{digest}"}
    with pytest.raises(InvalidManifestInTagsError, match=f"the limit is {MAX_PART_TAGS}"):
        decode_manifest_tags(claims)
    oversized = {**tags, "agent-tool:m00": tags["agent-tool:m00"] + "A" * 300}
    with pytest.raises(InvalidManifestInTagsError, match="at most 256"):
        decode_manifest_tags(oversized)


def test_deep_json_is_measured_on_the_text_before_parsing():
    deep = b'{"name":"convert_units","input_schema":' + b"[" * 8000 + b"]" * 8000 + b"}"
    assert len(deep) <= MAX_MANIFEST_BYTES  # json.loads would raise RecursionError on it
    with pytest.raises(InvalidManifestInTagsError, match="nests 8001 levels deep"):
        decode_manifest_tags(raw_tags(deep))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\[]{}', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='k"\\[{', max_size=3), inner, max_size=3)
    ),
    max_leaves=20,
)


def true_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((true_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((true_depth(v) for v in value), default=0)
    return 0


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_text_depth_matches_the_parsed_depth(value):
    assert json_text_depth(json.dumps(value), 10_000) == true_depth(value)


def test_description_limit_is_per_provider_portability():
    def strict(schema: dict[str, Any]) -> SchemaVerdict:
        return SchemaVerdict("strict", accepted=True)

    strict.max_description_chars = 10  # type: ignore[attr-defined]
    register_schema_checker("strict", strict)
    register_schema_checker("lenient", lambda schema: SchemaVerdict("lenient", accepted=True))
    try:
        report = check_portability({"type": "object"}, description="x" * 11)
        assert "lenient" in report.accepted_by and "strict" not in report.accepted_by
        assert report.warnings["strict"] == [
            "rejected: the tool description is 11 characters; strict accepts at most 10"
        ]
        assert "strict" in check_portability({"type": "object"}, description="short").accepted_by
    finally:
        from tool_sdk.portability import unregister_schema_checker

        unregister_schema_checker("strict")
        unregister_schema_checker("lenient")
    assert MAX_DESCRIPTION_CHARS == 4096
    validate_manifest(make_manifest_data(description="d" * MAX_DESCRIPTION_CHARS), portability=False)


def test_metaschema_cache_is_bounded_and_keyed_by_hash():
    for i in range(SCHEMA_CACHE_ENTRIES + 40):
        schema_problems({"type": "object", "properties": {f"p{i}": {"type": "string"}}})
    assert len(_problems_cache) == SCHEMA_CACHE_ENTRIES
    assert all(len(key) == 64 for key in _problems_cache._items)  # SHA-256 hex, not schema text
    cache: ContentCache[int] = ContentCache(2)
    cache.put("a", 1), cache.put("b", 2), cache.get("a"), cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


schemas = st.recursive(
    st.sampled_from([{"type": "string"}, {"type": "strng"}, {"enum": 3}, {"minimum": "x"}, True, {}]),
    lambda inner: (
        st.builds(
            lambda p: {"type": "object", "properties": p},
            st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
        )
        | st.builds(lambda i: {"type": "array", "items": i}, inner)
        | st.builds(lambda xs: {"anyOf": xs}, st.lists(inner, max_size=3))
        | st.builds(
            lambda d: {"$defs": d, "required": "q"}, st.dictionaries(st.sampled_from("xy"), inner, max_size=2)
        )
    ),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(schemas)
def test_flattened_metaschema_agrees_with_the_official_one(schema):
    official = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    expected = {(tuple(map(str, e.path)), e.message) for e in official.iter_errors(schema)}
    found = {(tuple(map(str, e.path)), e.message) for e in _metaschema_validator().iter_errors(schema)}
    assert found == expected
