from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.tool_sdk.helpers import make_manifest_data
from tool_sdk import (
    ManifestTooLargeError,
    TagDecodeError,
    ToolManifest,
    decode_manifest_tags,
    encode_manifest_tags,
    is_valid_aws_tag,
    validate_manifest,
)
from tool_sdk.errors import (
    CorruptPayloadError,
    DigestMismatchError,
    InvalidManifestInTagsError,
    MalformedTagError,
    MissingTagError,
    NoManifestTagsError,
    TagMismatchError,
)
from tool_sdk.tags import DIGEST_TAG, MAX_MANIFEST_TAGS, NAME_TAG, VERSION_TAG, canonical_manifest_json


def big_manifest(fields: int = 100) -> ToolManifest:
    props = {
        f"field_{i}": {"type": "string", "description": f"Field {i}: the {i}th input, described at length."}
        for i in range(fields)
    }
    data = make_manifest_data(
        description="A big tool. " * 80, input_schema={"type": "object", "properties": props}
    )
    return validate_manifest(data)[0]


def parts(tags: dict[str, str]) -> list[str]:
    return sorted(k for k in tags if k.startswith("agent-tool:m"))


def test_ten_kb_manifest_round_trips_within_budget_and_charset():
    manifest = big_manifest()
    assert len(canonical_manifest_json(manifest)) >= 10_000
    tags = encode_manifest_tags(manifest)
    assert len(tags) <= MAX_MANIFEST_TAGS
    assert all(is_valid_aws_tag(k, v) for k, v in tags.items())
    assert tags[NAME_TAG] == manifest.name and tags[VERSION_TAG] == manifest.version
    assert decode_manifest_tags(tags) == manifest


def test_encoding_is_deterministic(manifest_data):
    a = validate_manifest(manifest_data)[0]
    b = validate_manifest(dict(reversed(list(manifest_data.items()))))[0]
    assert encode_manifest_tags(a) == encode_manifest_tags(b)


def test_too_large_manifest_states_size_and_budget():
    import random

    rng = random.Random(7)  # incompressible text, so zlib cannot save it
    props = {
        f"f{i}": {
            "type": "string",
            "description": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(200)),
        }
        for i in range(60)
    }
    manifest = validate_manifest(make_manifest_data(input_schema={"type": "object", "properties": props}))[0]
    with pytest.raises(ManifestTooLargeError) as info:
        encode_manifest_tags(manifest)
    message = str(info.value)
    assert str(info.value.encoded_chars) in message and str(info.value.budget_chars) in message
    assert info.value.parts_needed > info.value.max_parts


def test_each_dropped_or_corrupted_part_is_a_typed_error():
    tags = encode_manifest_tags(big_manifest())
    assert len(parts(tags)) >= 2
    for key in [*parts(tags), DIGEST_TAG]:
        dropped = {k: v for k, v in tags.items() if k != key}
        with pytest.raises(MissingTagError):
            decode_manifest_tags(dropped)
        value = tags[key]
        flipped = value[:-5] + ("A" if value[-5] != "A" else "B") + value[-4:]
        with pytest.raises((DigestMismatchError, CorruptPayloadError, MalformedTagError)):
            decode_manifest_tags({**tags, key: flipped})


def test_foreign_part_from_another_manifest_is_detected(manifest_data):
    a = encode_manifest_tags(big_manifest(100))
    b = encode_manifest_tags(big_manifest(101))
    mixed = {**a, "agent-tool:m00": b["agent-tool:m00"]}
    with pytest.raises((DigestMismatchError, CorruptPayloadError)):
        decode_manifest_tags(mixed)


def test_stale_extra_parts_are_ignored():
    small = encode_manifest_tags(validate_manifest(make_manifest_data())[0])
    stale = {**small, "agent-tool:m05": "leftover"}
    assert decode_manifest_tags(stale).name == "convert_units"


def test_readable_tags_must_agree(manifest_data):
    tags = encode_manifest_tags(validate_manifest(manifest_data)[0])
    with pytest.raises(TagMismatchError):
        decode_manifest_tags({**tags, NAME_TAG: "someone_else"})
    with pytest.raises(MissingTagError):
        decode_manifest_tags({k: v for k, v in tags.items() if k != VERSION_TAG})


def test_not_a_tool_and_invalid_manifest_inside():
    with pytest.raises(NoManifestTagsError):
        decode_manifest_tags({"team": "x"})
    import base64
    import hashlib
    import json
    import zlib

    raw = json.dumps({"name": "bad name", "version": "1"}).encode()
    payload = base64.b64encode(zlib.compress(raw)).decode()
    tags = {DIGEST_TAG: f"v1.1.{hashlib.sha256(raw).hexdigest()}", "agent-tool:m00": payload, NAME_TAG: "x"}
    with pytest.raises(InvalidManifestInTagsError) as info:
        decode_manifest_tags(tags)
    assert {p.path for p in info.value.problems} >= {"name", "version", "description"}


names = st.from_regex(r"[a-zA-Z0-9_-]{1,64}", fullmatch=True)
texts = st.text(min_size=1, max_size=400).filter(lambda s: s.strip() == s and s)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=names,
    version=st.builds(lambda a, b, c: f"{a}.{b}.{c}", *(st.integers(0, 999),) * 3),
    description=texts,
    props=st.dictionaries(
        st.text(min_size=1, max_size=30),
        st.sampled_from([{"type": "string"}, {"type": "integer", "minimum": 0}, {"enum": ["a", "b"]}]),
        max_size=30,
    ),
    tags=st.lists(st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True), unique=True, max_size=5),
    approval=st.booleans(),
)
def test_round_trip_property(name, version, description, props, tags, approval):
    manifest = validate_manifest(
        {
            "name": name,
            "version": version,
            "description": description,
            "input_schema": {"type": "object", "properties": props},
            "tags": tags,
            "human_approval_required": approval,
        }
    )[0]
    encoded = encode_manifest_tags(manifest)
    assert all(is_valid_aws_tag(k, v) for k, v in encoded.items())
    assert decode_manifest_tags(encoded) == manifest


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=20), st.text(max_size=300), max_size=8))
def test_random_tag_sets_give_typed_errors_never_crashes(tags):
    with contextlib.suppress(TagDecodeError):
        decode_manifest_tags(tags)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_corruption_never_yields_a_wrong_manifest(data):
    manifest = big_manifest(20)
    tags = encode_manifest_tags(manifest)
    key = data.draw(st.sampled_from(sorted(tags)))
    new_value = data.draw(st.text(alphabet="ABCDEFabcdef0123456789+/=.v", max_size=256))
    assume(new_value != tags[key])
    try:
        decoded = decode_manifest_tags({**tags, key: new_value})
    except TagDecodeError:
        return
    # Only a change that cannot alter the payload may decode, and then to the same manifest.
    assert decoded == manifest
