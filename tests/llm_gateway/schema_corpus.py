"""A corpus of tool input schemas, with what each provider's translator must make of it.

``EXPECT[name][provider]`` is ``"ok"`` (accepted, no loss), ``"lossy"`` (accepted with notes) or
``"rejected: <fragment of the reason>"``. Providers not listed expect ``"ok"``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CORPUS", "EXPECT", "expected"]

_S: dict[str, Any] = {"type": "string"}
_I: dict[str, Any] = {"type": "integer"}
_N: dict[str, Any] = {"type": "number"}


def _obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, **extra}
    if required:
        schema["required"] = required
    return schema


_ADDRESS = _obj({"street": _S, "city": _S, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}}, ["city"])

CORPUS: dict[str, dict[str, Any]] = {
    "flat_scalars": _obj({"q": _S, "n": _I, "x": _N, "flag": {"type": "boolean"}}, ["q", "n"]),
    "no_parameters": _obj({}),
    "nested_object": _obj({"name": _S, "address": _ADDRESS}, ["name", "address"]),
    "deep_nesting": _obj({"a": _obj({"b": _obj({"c": _obj({"d": _S}, ["d"])})})}),
    "array_of_strings": _obj({"tags": {"type": "array", "items": _S, "description": "Labels."}}),
    "array_of_objects": _obj(
        {"legs": {"type": "array", "items": _obj({"from": _S, "to": _S, "km": _N}, ["from", "to"])}}
    ),
    "array_of_arrays": _obj({"matrix": {"type": "array", "items": {"type": "array", "items": _N}}}),
    "string_enum": _obj({"unit": {"type": "string", "enum": ["km", "mi", "m"]}}, ["unit"]),
    "integer_enum": _obj({"level": {"type": "integer", "enum": [1, 2, 3]}}),
    "untyped_mixed_enum": _obj({"v": {"enum": ["a", 1]}}),
    "const_string": _obj({"version": {"const": "v1"}}),
    "ref_defs": {
        "type": "object",
        "properties": {"home": {"$ref": "#/$defs/Address"}, "work": {"$ref": "#/$defs/Address"}},
        "$defs": {"Address": _ADDRESS},
    },
    "ref_definitions_draft7": {
        "type": "object",
        "properties": {"point": {"$ref": "#/definitions/Point"}},
        "definitions": {"Point": _obj({"x": _N, "y": _N}, ["x", "y"])},
    },
    "ref_with_sibling_description": {
        "type": "object",
        "properties": {"dest": {"$ref": "#/$defs/City", "description": "Where to go."}},
        "$defs": {"City": _obj({"name": _S, "country": _S}, ["name"])},
    },
    "ref_chain": {
        "type": "object",
        "properties": {"trip": {"$ref": "#/$defs/Trip"}},
        "$defs": {
            "Trip": _obj({"legs": {"type": "array", "items": {"$ref": "#/$defs/Leg"}}}),
            "Leg": _obj({"from": {"$ref": "#/$defs/Place"}, "to": {"$ref": "#/$defs/Place"}}),
            "Place": _obj({"name": _S}),
        },
    },
    "recursive_tree": {
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/Node"}},
        "$defs": {
            "Node": _obj({"label": _S, "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}})
        },
    },
    "remote_ref": _obj({"geo": {"$ref": "https://example.com/schemas/geo.json"}}),
    "nullable_type_list": _obj({"note": {"type": ["string", "null"]}}),
    "anyof_nullable": _obj({"limit": {"anyOf": [_I, {"type": "null"}], "default": None}}),
    "anyof_scalars": _obj({"id": {"anyOf": [_S, _I]}}),
    "type_list_multi": _obj({"id": {"type": ["string", "integer"]}}),
    "oneof_object_variants": _obj(
        {
            "payment": {
                "oneOf": [
                    _obj({"card": _S, "cvv": _S}, ["card"]),
                    _obj({"iban": _S}, ["iban"]),
                ]
            }
        }
    ),
    "top_level_oneof": {
        "oneOf": [_obj({"city": _S}, ["city"]), _obj({"lat": _N, "lon": _N}, ["lat", "lon"])]
    },
    "top_level_anyof_scalars": {"anyOf": [_S, _N]},
    "allof_merge": {"allOf": [_obj({"a": _S}, ["a"]), _obj({"b": _I}, ["b"])]},
    "allof_conflict": {"allOf": [_obj({"a": _S}), _obj({"a": _I})]},
    "formats": _obj(
        {
            "when": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "mail": {"type": "string", "format": "email"},
            "id": {"type": "string", "format": "uuid"},
            "link": {"type": "string", "format": "uri"},
            "ratio": {"type": "number", "format": "double"},
            "count": {"type": "integer", "format": "int64"},
        }
    ),
    "additional_properties_false": _obj({"q": _S}, ["q"], additionalProperties=False),
    "free_form_map": _obj({"headers": {"type": "object", "additionalProperties": _S}}),
    "string_constraints": _obj(
        {"code": {"type": "string", "minLength": 2, "maxLength": 8, "pattern": "^[A-Z]+$"}}
    ),
    "numeric_constraints": _obj(
        {
            "pct": {"type": "number", "minimum": 0, "maximum": 100},
            "n": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
            "step": {"type": "integer", "multipleOf": 5},
        }
    ),
    "array_constraints": _obj(
        {"ids": {"type": "array", "items": _I, "minItems": 1, "maxItems": 5, "uniqueItems": True}}
    ),
    "annotations": _obj(
        {
            "city": {"type": "string", "title": "City", "default": "Paris", "examples": ["Lyon"]},
            "days": {"type": "integer", "description": "Trip length.", "default": 3},
        },
        title="TripQuery",
        description="Query a trip.",
        **{"$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": "v2"},
    ),
    "untyped_property": _obj({"anything": {}}),
    "array_without_items": _obj({"values": {"type": "array"}}),
    "tuple_prefix_items": _obj({"pair": {"type": "array", "prefixItems": [_S, _I]}}),
    "pattern_properties": _obj({"known": _S}, patternProperties={"^x-": _S}),
    "hyphenated_param_names": _obj({"from-unit": _S, "to-unit": _S}),
    "not_keyword": _obj({"name": {"type": "string", "not": {"const": "admin"}}}),
    "conditional_if_then": _obj(
        {"kind": {"type": "string", "enum": ["a", "b"]}, "extra": _S},
        **{"if": {"properties": {"kind": {"const": "a"}}}, "then": {"required": ["extra"]}},
    ),
    "dependent_required": _obj({"card": _S, "cvv": _S}, dependentRequired={"card": ["cvv"]}),
    "root_array": {"type": "array", "items": _S},
    "openapi_nullable": _obj({"note": {"type": "string", "nullable": True}}),
    "realistic_trip": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "description": "Plan a trip.",
        "properties": {
            "travellers": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Traveller"}},
            "start": {"type": "string", "format": "date"},
            "budget": {"type": "number", "minimum": 0},
            "currency": {"type": "string", "enum": ["EUR", "USD", "GBP"], "default": "EUR"},
            "stops": {"type": "array", "items": {"$ref": "#/$defs/Stop"}},
        },
        "required": ["travellers", "start"],
        "additionalProperties": False,
        "$defs": {
            "Traveller": _obj({"name": _S, "age": {"type": "integer", "minimum": 0}}, ["name"]),
            "Stop": _obj({"city": _S, "nights": {"type": "integer", "minimum": 1}}, ["city"]),
        },
    },
}

_R = "rejected: "
EXPECT: dict[str, dict[str, str]] = {
    "integer_enum": {"gemini": "lossy"},
    "untyped_mixed_enum": {"gemini": _R + "no type"},
    "recursive_tree": {"gemini": _R + "recursive $ref", "bedrock": _R + "recursive $ref"},
    "remote_ref": {p: _R + "not a local reference" for p in ("anthropic", "openai", "gemini", "bedrock")},
    "oneof_object_variants": {"gemini": "lossy"},
    "top_level_oneof": {p: "lossy" for p in ("anthropic", "openai", "gemini", "bedrock")},
    "top_level_anyof_scalars": {
        p: _R + "top-level anyOf" for p in ("anthropic", "openai", "gemini", "bedrock")
    },
    "allof_conflict": {
        p: _R + "define property 'a' differently" for p in ("anthropic", "openai", "gemini", "bedrock")
    },
    "formats": {"gemini": "lossy"},
    "additional_properties_false": {"gemini": "lossy"},
    "free_form_map": {"gemini": _R + "free-form map"},
    "numeric_constraints": {"gemini": "lossy"},
    "array_constraints": {"gemini": "lossy"},
    "untyped_property": {"gemini": _R + "any value"},
    "array_without_items": {"openai": _R + "without 'items'", "gemini": _R + "without 'items'"},
    "tuple_prefix_items": {"gemini": _R + "tuple", "openai": _R + "without 'items'"},
    "pattern_properties": {"gemini": "lossy"},
    "hyphenated_param_names": {"gemini": _R + "parameter name 'from-unit'"},
    "not_keyword": {"gemini": "lossy"},
    "conditional_if_then": {"gemini": "lossy"},
    "dependent_required": {"gemini": "lossy"},
    "root_array": {
        p: _R + "root must be type 'object'" for p in ("anthropic", "openai", "gemini", "bedrock")
    },
    "realistic_trip": {"gemini": "lossy"},
}


def expected(name: str, provider: str) -> str:
    return EXPECT.get(name, {}).get(provider, "ok")
