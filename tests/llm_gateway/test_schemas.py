"""Schema portability: every corpus schema through every translator, checked against the provider's
documented subset (tests/llm_gateway/schema_conformance.py) or rejected with a reason."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llm_gateway.schemas as gateway_schemas
import tool_sdk.portability as portability
from llm_gateway.schemas import DIALECTS, SchemaRejected, check_description, schema_checkers, translate_schema
from llm_gateway.schemas.walk import inline_refs
from tests.llm_gateway.schema_conformance import problems
from tests.llm_gateway.schema_corpus import CORPUS, expected
from tool_sdk import validate_manifest
from tool_sdk.errors import ManifestValidationError
from tool_sdk.limits import SCHEMA_CACHE_ENTRIES

CASES = [(p, n, expected(n, p)) for n in CORPUS for p in DIALECTS]


def test_corpus_is_big_and_varied() -> None:
    assert len(CORPUS) >= 30
    text = json.dumps(CORPUS)
    for feature in ('"$ref"', '"enum"', '"anyOf"', '"oneOf"', '"allOf"', '"format"', '"items"'):
        assert feature in text


@pytest.mark.parametrize(
    ("provider", "name", "outcome"), CASES, ids=[f"{p}-{n}-{o.split(':')[0]}" for p, n, o in CASES]
)
def test_corpus_schema(provider: str, name: str, outcome: str) -> None:
    schema = CORPUS[name]
    before = copy.deepcopy(schema)
    verdict = schema_checkers()[provider](schema)
    assert schema == before, "translators must not mutate their input"
    if outcome.startswith("rejected"):
        assert not verdict.accepted, f"expected a rejection, got {verdict}"
        assert outcome.removeprefix("rejected: ") in verdict.reason
        with pytest.raises(SchemaRejected):
            translate_schema(provider, schema)
        return
    assert verdict.accepted, verdict.reason
    translated = translate_schema(provider, schema).schema
    assert problems(provider, translated) == [], json.dumps(translated)
    if outcome == "lossy":
        assert verdict.lossy, "expected lossy-translation notes"
    else:
        assert verdict.lossy == ()


@pytest.mark.parametrize("provider", DIALECTS)
def test_conformance_checkers_are_not_vacuous(provider: str) -> None:
    """The untranslated corpus violates the subsets where the expectations say so."""
    assert problems(provider, CORPUS["root_array"])
    if provider == "gemini":
        assert problems(provider, CORPUS["ref_defs"])  # $ref/$defs are not Gemini Schema fields
        assert problems(provider, CORPUS["integer_enum"])
        assert problems(provider, CORPUS["additional_properties_false"])
    if provider == "bedrock":
        assert problems(provider, CORPUS["ref_defs"])


def test_gemini_translation_details() -> None:
    out = translate_schema("gemini", CORPUS["annotations"]).schema
    assert out["properties"]["city"] == {
        "type": "string",
        "description": "City. Default: Paris. Example: Lyon.",
    }
    numeric = translate_schema("gemini", CORPUS["numeric_constraints"]).schema["properties"]
    assert numeric["n"] == {"type": "integer", "minimum": 1, "maximum": 9}  # exclusive → inclusive, lossless
    assert translate_schema("gemini", CORPUS["nullable_type_list"]).schema["properties"]["note"] == {
        "type": "string",
        "nullable": True,
    }
    union = translate_schema("gemini", CORPUS["type_list_multi"]).schema["properties"]["id"]
    assert union == {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    ref = translate_schema("gemini", CORPUS["ref_with_sibling_description"]).schema["properties"]["dest"]
    assert ref["description"] == "Where to go." and ref["required"] == ["name"]
    lossy = translate_schema("gemini", CORPUS["integer_enum"])
    assert "Allowed values: 1, 2, 3." in lossy.schema["properties"]["level"]["description"]


def test_recursive_schemas_keep_refs_where_supported() -> None:
    out = translate_schema("anthropic", CORPUS["recursive_tree"]).schema
    assert out["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert "$defs" not in translate_schema("openai", CORPUS["ref_defs"]).schema  # inlined when possible


# --- property tests ---------------------------------------------------------------------------

_names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_scalar = st.one_of(
    st.just({"type": "string"}),
    st.just({"type": "integer", "minimum": 0}),
    st.just({"type": "number", "exclusiveMaximum": 5}),
    st.just({"type": "boolean"}),
    st.just({"type": ["string", "null"]}),
    st.just({"type": "string", "format": "date-time"}),
    st.just({"type": "string", "format": "uuid"}),
    st.just({"type": "string", "enum": ["a", "b"]}),
    st.just({"type": "integer", "enum": [1, 2]}),
    st.just({"const": "x"}),
    st.just({"$ref": "#/$defs/Shared"}),
    st.just({"type": "array"}),
    st.just({}),
)


def _extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(lambda i: {"type": "array", "items": i}, children),
        st.builds(
            lambda props, closed: {
                "type": "object",
                "properties": props,
                **({"additionalProperties": False} if closed else {}),
            },
            st.dictionaries(_names, children, max_size=3),
            st.booleans(),
        ),
        st.builds(lambda a, b: {"anyOf": [a, b]}, children, children),
        st.builds(lambda a, b: {"oneOf": [a, b]}, children, children),
        st.builds(lambda a: {"anyOf": [a, {"type": "null"}]}, children),
    )


schemas = st.builds(
    lambda props, required: {
        "type": "object",
        "properties": props,
        "required": [n for n in props if required],
        "$defs": {"Shared": {"type": "object", "properties": {"id": {"type": "string"}}}},
    },
    st.dictionaries(_names, st.recursive(_scalar, _extend, max_leaves=8), max_size=4),
    st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas)
def test_every_translation_conforms_or_is_rejected_with_a_reason(schema: dict[str, Any]) -> None:
    for provider in DIALECTS:
        try:
            translation = translate_schema(provider, schema)
        except SchemaRejected as exc:
            assert str(exc)
            continue
        assert problems(provider, translation.schema) == [], (provider, json.dumps(translation.schema))


@settings(max_examples=100, deadline=None)
@given(schemas)
def test_translations_are_fixpoints(schema: dict[str, Any]) -> None:
    """Translating a translation changes nothing and loses nothing more."""
    for provider in DIALECTS:
        try:
            first = translate_schema(provider, schema)
        except SchemaRejected:
            continue
        again = translate_schema(provider, first.schema)
        assert again.schema == first.schema
        assert again.lossy == ()


# --- the manifest's portability hook ----------------------------------------------------------


@pytest.fixture
def gateway_checkers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portability, "_checkers", dict(schema_checkers()))
    monkeypatch.setattr(portability, "_entry_points_loaded", True)


def _manifest(schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": "plan_trip", "version": "1.0.0", "description": "Plan a trip.", "input_schema": schema}


def test_hook_accepts_portable_schema_and_warns_about_lossy_providers(gateway_checkers: None) -> None:
    _, report = validate_manifest(_manifest(CORPUS["formats"]))
    assert report.accepted_by == ["anthropic", "bedrock", "gemini", "openai"]
    assert list(report.warnings) == ["gemini"]
    assert any("format 'uuid'" in note for note in report.warnings["gemini"])


def test_hook_reports_providers_that_reject(gateway_checkers: None) -> None:
    _, report = validate_manifest(_manifest(CORPUS["free_form_map"]))
    assert report.portable_anywhere
    assert report.warnings["gemini"][0].startswith("rejected: ")


def test_hook_rejects_a_schema_no_provider_accepts(gateway_checkers: None) -> None:
    with pytest.raises(ManifestValidationError) as info:
        validate_manifest(_manifest(CORPUS["remote_ref"]))
    text = str(info.value)
    assert "no LLM provider accepts it" in text
    for provider in DIALECTS:
        assert f"{provider}: $ref 'https://example.com/schemas/geo.json' is not a local reference" in text


def test_entry_point_callable_excludes_offline() -> None:
    assert sorted(schema_checkers()) == sorted(DIALECTS)
    assert "offline" not in schema_checkers()


def test_the_entry_point_named_for_pyproject_loads() -> None:
    from importlib.metadata import EntryPoint

    ep = EntryPoint(
        name="llm_gateway", value="llm_gateway.schemas:schema_checkers", group=portability.ENTRY_POINT_GROUP
    )
    checkers = ep.load()()
    assert sorted(checkers) == sorted(DIALECTS)
    assert checkers["gemini"](CORPUS["ref_defs"]).accepted


# --- bounded work (issue 12) --------------------------------------------------------------------


def _ref_bomb(levels: int) -> dict[str, Any]:
    defs: dict[str, Any] = {
        f"d{i}": {
            "type": "object",
            "properties": {"a": {"$ref": f"#/$defs/d{i + 1}"}, "b": {"$ref": f"#/$defs/d{i + 1}"}},
        }
        for i in range(levels)
    }
    defs[f"d{levels}"] = {"type": "string"}
    return {"type": "object", "properties": {"x": {"$ref": "#/$defs/d0"}}, "$defs": defs}


@pytest.mark.parametrize("provider", DIALECTS)
def test_nested_refs_used_twice_are_rejected_not_expanded(provider: str) -> None:
    # 441 characters of tags once took 316 s and 1 GB at depth 18; 2**60 leaves would never finish.
    for levels in (18, 60):
        with pytest.raises(SchemaRejected, match="the limit is"):
            translate_schema(provider, _ref_bomb(levels))


def test_inlining_builds_each_reference_once_and_reuses_it() -> None:
    inlined, recursive = inline_refs(_ref_bomb(6), keep_recursive=False)
    level1 = inlined["properties"]["x"]["properties"]
    assert not recursive and level1["a"] == level1["b"]
    assert level1["a"]["properties"] is level1["b"]["properties"]  # shared, not copied
    translated = translate_schema("openai", _ref_bomb(6)).schema
    assert translated["properties"]["x"]["properties"]["a"]["properties"]["b"]["type"] == "object"


def test_translation_cache_is_bounded_keyed_by_hash_and_shares_nothing_with_the_caller() -> None:
    gateway_schemas._translations.clear()
    for i in range(SCHEMA_CACHE_ENTRIES + 30):
        translate_schema("anthropic", {"type": "object", "properties": {f"p{i}": {"type": "string"}}})
    assert len(gateway_schemas._translations) == SCHEMA_CACHE_ENTRIES
    assert all(len(key) == 64 for key in gateway_schemas._translations._items)
    mine = {"type": "object", "properties": {"e": {"type": "string", "enum": ["a", "b"]}}}
    out = translate_schema("gemini", mine)
    mine["properties"]["e"]["enum"].append("c")  # the caller mutates its schema afterwards
    assert out.schema["properties"]["e"]["enum"] == ["a", "b"]


def test_description_limits_are_per_provider() -> None:
    check_description("anthropic", "x" * 5000)
    with pytest.raises(SchemaRejected, match="2000 characters; openai accepts at most 1024"):
        check_description("openai", "x" * 2000)
    assert schema_checkers()["openai"].max_description_chars == 1024  # type: ignore[attr-defined]
    assert not hasattr(schema_checkers()["anthropic"], "max_description_chars")
