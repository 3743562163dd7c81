"""The hostile-manifest corpus (issue 12) and its verdicts, judged without the emulator.

Each case is a tag set as a deploy tool could write it (at most 47 manifest tags of at most 256
characters: what Lambda accepts beside the readable tags): deep, wide, recursive ``$ref``, huge
enums, long strings, unicode, compression bombs. ``bench/bench_hostile.py`` runs the same corpus
through the registrar for ``registrar_worst_case_ms`` and ``registrar_peak_mb``;
``test_hostile_registrar.py`` runs it (and generated variants) through the registrar on the emulator.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

import pytest

from control_plane.config import ControlPlaneConfig
from control_plane.registrar.observe import FunctionSnapshot, interpret
from control_plane.registrar.sync import register_gateway_schema_checkers
from control_plane.registry.codec import MAX_NESTING_LEVELS, storability_problems
from tool_sdk.limits import MAX_SCHEMA_DEPTH

NAME = "hostile"
MAX_TAGS = 47  # Lambda's 50 tags minus name, version and digest


@dataclass(frozen=True)
class Case:
    label: str
    tags: dict[str, str]
    verdict: str  # "serving" or "rejected"
    says: str = ""  # a fragment every rejection of this case states (the limit and what was measured)


def raw_tags(raw: bytes, *, name: str = NAME, version: str = "1.0.0", level: int = 9) -> dict[str, str]:
    """The codec's tags for arbitrary bytes (no validation): what a hostile writer can put there."""
    payload = base64.b64encode(zlib.compress(raw, level)).decode()
    parts = [payload[i : i + 256] for i in range(0, len(payload), 256)] or [""]
    tags = {"agent-tool:digest": f"v1.{len(parts)}.{hashlib.sha256(raw).hexdigest()}"}
    tags.update({f"agent-tool:m{i:02d}": p for i, p in enumerate(parts)})
    tags.update({"agent-tool:name": name, "agent-tool:version": version})
    return tags


def manifest_text(
    schema_json: str, *, description: str = "A hostile tool.", version: str = "1.0.0", name: str = NAME
) -> bytes:
    """Manifest JSON around a schema given as JSON text (deep schemas cannot go through json.dumps)."""
    head = json.dumps({"description": description, "name": name, "version": version})[:-1]
    return f'{head},"input_schema":{schema_json}}}'.encode()


def deep_schema(levels: int) -> str:
    """``levels`` nested object properties, as JSON text (two JSON levels each, plus the leaf)."""
    return '{"type":"object","properties":{"a":' * levels + '{"type":"string"}' + "}}" * levels


def ref_bomb(levels: int, fanout: int = 2, *, recursive: bool = False) -> str:
    """Definitions that each reference the next level ``fanout`` times (the last one loops back to
    the first when ``recursive``): 2**levels leaves once inlined, naively."""
    defs = {
        f"d{i}": {
            "type": "object",
            "properties": {f"p{j}": {"$ref": f"#/$defs/d{i + 1}"} for j in range(fanout)},
        }
        for i in range(levels)
    }
    defs[f"d{levels}"] = {"$ref": "#/$defs/d0"} if recursive else {"type": "string"}
    return json.dumps({"type": "object", "properties": {"x": {"$ref": "#/$defs/d0"}}, "$defs": defs})


def ref_chain(length: int) -> str:
    defs = {f"a{i}": {"$ref": f"#/$defs/a{i + 1}"} for i in range(length)}
    defs[f"a{length}"] = {"type": "string"}
    return json.dumps({"type": "object", "properties": {"x": {"$ref": "#/$defs/a0"}}, "$defs": defs})


def wide_schema(count: int) -> str:
    props = {f"p{i}": {"type": "integer"} for i in range(count)}
    return json.dumps({"type": "object", "properties": props})


def enum_schema(count: int) -> str:
    return json.dumps(
        {"type": "object", "properties": {"e": {"type": "string", "enum": [f"v{i}" for i in range(count)]}}}
    )


def string_schema(chars: int, text: str = "x") -> str:
    return json.dumps(
        {"type": "object", "properties": {"s": {"type": "string", "description": text * chars}}}
    )


def near_limit_schema() -> str:
    """A valid schema of ~14 KB (described properties, enums, a $ref reused): the costliest accepted."""
    props: dict[str, Any] = {
        f"field_{i:03d}": {"type": "string", "description": f"Field {i}: a described input of the tool, {i}."}
        for i in range(150)
    }
    props["unit"] = {"$ref": "#/$defs/unit"}
    props["units"] = {"type": "array", "items": {"$ref": "#/$defs/unit"}}
    defs = {"unit": {"type": "string", "enum": [f"unit_{i}" for i in range(60)]}}
    return json.dumps({"type": "object", "properties": props, "required": ["field_000"], "$defs": defs})


def _bomb(size: int, filler: bytes = b" ") -> bytes:
    return b'{"name":"hostile","version":"1.0.0","description":"x",' + filler * size + b'"input_schema":{}}'


def hostile_corpus() -> list[Case]:
    """Every case with its expected verdict (deterministic; the registrar sees each as a function)."""
    deep = "levels deep; a schema may nest at most 24"
    big = "inflates to more than 16384 bytes"
    cases = [
        Case("deep_11_objects", _tags(deep_schema(11)), "serving"),
        Case("deep_12_objects", _tags(deep_schema(12)), "rejected", deep),
        Case("deep_17_objects", _tags(deep_schema(17)), "rejected", deep),
        Case("deep_100_objects", _tags(deep_schema(100)), "rejected", "nests 202 levels"),
        Case("deep_400_objects", _tags(deep_schema(400)), "rejected", "nests 802 levels"),
        Case("wide_400", _tags(wide_schema(400)), "serving"),
        Case("wide_2000", _tags(wide_schema(2000)), "rejected", big),
        Case("ref_bomb_8", _tags(ref_bomb(8)), "serving"),
        Case("ref_bomb_18", _tags(ref_bomb(18)), "rejected", "limit is 24"),
        Case("ref_fanout_6x5", _tags(ref_bomb(5, 6)), "rejected", "more than 32768 bytes"),
        Case("ref_recursive_bomb", _tags(ref_bomb(10, 3, recursive=True)), "rejected", "32768"),
        Case("ref_chain_60", _tags(ref_chain(60)), "rejected", "$refs nest more than 24"),
        Case("ref_self", _tags(json.dumps(_self_ref())), "serving"),
        Case("enum_250", _tags(enum_schema(250)), "serving"),
        Case("enum_1000", _tags(enum_schema(1000)), "rejected", "enum has 1000 values; the limit is 250"),
        Case("string_2048", _tags(string_schema(2048)), "serving"),
        Case("string_300k", _tags(string_schema(300_000)), "rejected", big),
        Case("string_10k", _tags(string_schema(10_000)), "rejected", "10000 characters; the limit is 2048"),
        Case("unicode", _tags(string_schema(300, "é文🙂\u200f")), "serving"),
        Case("lone_surrogate", _tags(string_schema(1, "\ud800")), "rejected", "not valid Unicode"),
        Case("zlib_bomb_6mb", raw_tags(_bomb(6_000_000)), "rejected", big),
        Case("zlib_bomb_zeros", raw_tags(b"\0" * 6_000_000), "rejected", big),
        Case("integer_5000_digits", _tags('{"type":"object","maximum":' + "9" * 5000 + "}"), "rejected"),
        Case(
            "nan", _tags('{"type":"object","properties":{"n":{"type":"number","maximum":NaN}}}'), "rejected"
        ),
        Case("near_limit", _tags(near_limit_schema()), "serving"),
        Case("description_2000", raw_tags(manifest_text(wide_schema(3), description="d" * 2000)), "serving"),
        Case("build_metadata", _evil_build(), "rejected", "build metadata"),
        Case("digest_claims_60_parts", _claims_parts(60), "rejected", "the limit is 37"),
        Case("oversized_tag_value", _oversized_part(), "rejected", "at most 256"),
    ]
    for case in cases:
        assert len(case.tags) <= MAX_TAGS + 3, f"{case.label}: {len(case.tags)} tags"
    return cases


def _tags(schema_json: str) -> dict[str, str]:
    return raw_tags(manifest_text(schema_json))


def _evil_build() -> dict[str, str]:
    return raw_tags(manifest_text(wide_schema(3), version="1.0.0+evil"), version="1.0.0+evil")


def _self_ref() -> dict[str, Any]:
    node = {"type": "object", "properties": {"name": {"type": "string"}, "child": {"$ref": "#/$defs/node"}}}
    return {"type": "object", "properties": {"root": {"$ref": "#/$defs/node"}}, "$defs": {"node": node}}


def _claims_parts(count: int) -> dict[str, str]:
    tags = raw_tags(manifest_text(wide_schema(3)))
    tags["agent-tool:digest"] = (
        "v1." + str(count) + tags["agent-tool:digest"][tags["agent-tool:digest"].rindex(".") :]
    )
    return tags


def _oversized_part() -> dict[str, str]:
    raw = manifest_text(string_schema(1500, "ab3x"))
    payload = base64.b64encode(zlib.compress(raw, 0)).decode()  # stored, not compressed
    return {
        "agent-tool:digest": f"v1.1.{hashlib.sha256(raw).hexdigest()}",
        "agent-tool:m00": payload,
        "agent-tool:name": NAME,
        "agent-tool:version": "1.0.0",
    }


def renamed(tags: dict[str, str], name: str) -> dict[str, str]:
    """``tags`` re-encoded for another tool name (so several copies of a case can register)."""
    count = int(tags["agent-tool:digest"].split(".")[1])
    parts = "".join(tags.get(f"agent-tool:m{i:02d}", "") for i in range(min(count, 99)))
    try:
        raw = zlib.decompress(base64.b64decode(parts))
    except (ValueError, zlib.error):
        return {**tags, "agent-tool:name": name}
    for old in (f'"name": "{NAME}"', f'"name":"{NAME}"'):
        raw = raw.replace(old.encode(), old.replace(NAME, name).encode(), 1)
    return raw_tags(raw, name=name, version=tags["agent-tool:version"])


def judge(tags: dict[str, str], function_name: str = "tool-hostile-test") -> Any:
    config = ControlPlaneConfig(env="test", release_grace_seconds=0)
    snapshot = FunctionSnapshot(
        function_name,
        exists=True,
        function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}",
        code_sha256="code",
        tags=tags,
    )
    return interpret(snapshot, config, "2026-01-01T00:00:00.000000Z")


CASES = hostile_corpus()


@pytest.fixture(autouse=True, scope="module")
def _gateway_checkers() -> None:
    register_gateway_schema_checkers()


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_each_hostile_case_gets_its_verdict_with_the_limit_stated(case: Case) -> None:
    obs = judge(case.tags)
    assert obs.kind == case.verdict, obs.reasons
    messages = " | ".join(f"{r.path}: {r.message}" for r in obs.reasons)
    assert case.says in messages, messages
    assert "could not be judged" not in messages  # a limit, never the seam's safety net
    if obs.kind == "rejected":
        assert {r.code for r in obs.reasons} <= {"invalid_manifest", "not_storable", "tags_unreadable"}


def test_a_long_description_is_one_providers_portability_problem_not_a_rejection() -> None:
    obs = judge(next(c for c in CASES if c.label == "description_2000").tags)
    assert obs.kind == "serving"
    assert obs.portability_warnings["openai"] == [
        "rejected: the tool description is 2000 characters; openai accepts at most 1024"
    ]
    assert "anthropic" not in obs.portability_warnings


def test_measured_values_are_stated() -> None:
    deep = judge(next(c for c in CASES if c.label == "deep_17_objects").tags)
    assert [r.message for r in deep.reasons] == [
        "the manifest nests 36 levels deep; a schema may nest at most 24 levels (so the manifest 25)"
    ]
    enum = judge(next(c for c in CASES if c.label == "enum_1000").tags)
    assert [(r.path, r.message) for r in enum.reasons] == [
        ("input_schema.properties.e.enum", "enum has 1000 values; the limit is 250")
    ]


def test_the_schema_depth_limit_fits_dynamodb_nesting() -> None:
    # The schema is a top-level attribute (level 1); its innermost value sits one level deeper.
    assert MAX_SCHEMA_DEPTH + 1 < MAX_NESTING_LEVELS
    assert storability_problems({"x": json.loads("[" * 31 + "]" * 31)}) == []
    assert [p.message for p in storability_problems({"x": json.loads("[" * 32 + "]" * 32)})] == [
        "nests 33 levels deep as a DynamoDB attribute; DynamoDB's limit is 32"
    ]
    deepest = judge(raw_tags(manifest_text(deep_schema(11) + ' ,"output_schema":' + deep_schema(11))))
    assert deepest.kind == "serving"
    assert storability_problems(deepest.manifest.model_dump(mode="json")) == []
