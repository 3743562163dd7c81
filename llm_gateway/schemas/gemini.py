"""JSON Schema → Gemini ``FunctionDeclaration.parameters`` (the OpenAPI 3.0 subset ``Schema`` object).

Gemini's ``Schema`` (ai.google.dev/api/caching#Schema) knows: type (one of string, number, integer,
boolean, array, object), format, title, description, nullable, enum (strings), minItems, maxItems,
properties, required, minProperties, maxProperties, minLength, maxLength, pattern, example, anyOf,
propertyOrdering, default, items, minimum, maximum. Supported formats: ``float``/``double`` for
numbers, ``int32``/``int64`` for integers, ``enum``/``date-time`` for strings. The Developer API rejects
``additionalProperties`` and ``$ref``, and OBJECT schemas need non-empty ``properties``.

Lossless: ``$ref`` inlining, ``allOf`` folding, ``type: [T, "null"]`` → ``nullable``, ``const`` string →
one-value enum, integer ``exclusiveMinimum``/``exclusiveMaximum`` → ``minimum``/``maximum``, ``title``,
``default`` and ``examples`` moved into the description. Lossy (noted): ``oneOf`` → ``anyOf``, dropped
``additionalProperties: false``, unsupported formats, non-string enums, ``uniqueItems``, ``multipleOf``,
``not``, … (each written into the description as a hint). Rejected: recursion, free-form values or
maps, tuples, arrays without ``items``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from llm_gateway.schemas.walk import SchemaRejected, inline_refs, merge_all_of, normalize_root

__all__ = ["translate_gemini"]

TYPES = {"string", "number", "integer", "boolean", "array", "object"}
FORMATS = {"number": {"float", "double"}, "integer": {"int32", "int64"}, "string": {"enum", "date-time"}}
_SILENT = {
    "$schema", "$id", "$comment", "$anchor", "title", "readOnly", "writeOnly", "deprecated",
    "contentMediaType", "contentEncoding", "$defs", "definitions", "description", "default",
    "examples", "example", "type", "nullable", "format", "enum", "const", "anyOf", "oneOf",
    "properties", "required", "items", "additionalProperties", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems",
    "maxItems", "minProperties", "maxProperties", "propertyOrdering",
}  # fmt: skip
_DESCRIPTIVE = {"description", "title", "default", "examples", "example"}
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class _Translator:
    def __init__(self) -> None:
        self.notes: list[str] = []

    def lossy(self, path: str, what: str, hints: list[str], hint: str) -> None:
        self.notes.append(f"{path}: {what}")
        hints.append(hint)

    def node(self, node: Any, path: str) -> dict[str, Any]:
        if not isinstance(node, dict) or not node:
            raise SchemaRejected(f"{path}: a schema that allows any value has no Gemini type")
        node = merge_all_of(node, path)
        out: dict[str, Any] = {}
        hints: list[str] = []
        if "oneOf" in node:
            if "anyOf" in node:
                raise SchemaRejected(f"{path}: both oneOf and anyOf")
            self.notes.append(f"{path}: oneOf relaxed to anyOf (exclusivity not enforced)")
            node = {**{k: v for k, v in node.items() if k != "oneOf"}, "anyOf": node["oneOf"]}
        node = _split_type_list(node)
        kind = self._kind(node, path, out)
        if kind == "anyOf":
            self._union(node, path, out)
        else:
            out["type"] = kind
            getattr(self, f"_{kind}")(node, path, out, hints)
        for key in node:
            if key not in _SILENT and not (key in ("patternProperties",) and kind == "object"):
                self.lossy(path, f"{key} dropped", hints, f"{key}: {_text(node[key])}")
        self._describe(node, out, hints)
        return out

    def _kind(self, node: dict[str, Any], path: str, out: dict[str, Any]) -> str:
        kind = node.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            if len(kinds) < len(kind):
                out["nullable"] = True
            kind = kinds[0] if len(kinds) == 1 else "null" if not kinds else kind
        if node.get("nullable") is True:
            out["nullable"] = True
        if kind is None:
            if "anyOf" in node:
                return "anyOf"
            if "properties" in node:
                return "object"
            if "items" in node:
                return "array"
            values = node["enum"] if "enum" in node else [node["const"]] if "const" in node else []
            kind = _json_type(values)
            if kind is None:
                raise SchemaRejected(f"{path}: no type (any JSON value); Gemini needs a type")
        if "anyOf" in node:
            raise SchemaRejected(f"{path}: anyOf beside 'type' {kind!r} is not representable")
        if kind not in TYPES:
            raise SchemaRejected(f"{path}: type {kind!r} is not representable (null alone?)")
        return kind

    def _union(self, node: dict[str, Any], path: str, out: dict[str, Any]) -> None:
        variants = node["anyOf"]
        nulls = [v for v in variants if isinstance(v, dict) and v.get("type") == "null"]
        rest = [v for v in variants if v not in nulls]
        if nulls:
            out["nullable"] = True
        if not rest:
            raise SchemaRejected(f"{path}: anyOf allows only null")
        if len(rest) == 1:
            single = self.node(rest[0], f"{path}/anyOf/0")
            out.update({k: v for k, v in single.items() if k != "description" or "description" not in node})
            return
        out["anyOf"] = [self.node(v, f"{path}/anyOf/{i}") for i, v in enumerate(rest)]

    def _object(self, node: dict[str, Any], path: str, out: dict[str, Any], hints: list[str]) -> None:
        props = node.get("properties") or {}
        if not props and path != "#":
            raise SchemaRejected(
                f"{path}: object without properties (free-form map); Gemini OBJECT schemas need "
                "non-empty properties"
            )
        if path == "#":
            for name in props:
                if not _PARAM_NAME.match(name):
                    raise SchemaRejected(
                        f"parameter name {name!r}: Gemini parameter names must start with a letter "
                        "or '_' and contain only letters, digits and '_' (max 64)"
                    )
        out["properties"] = {n: self.node(s, f"{path}/properties/{n}") for n, s in props.items()}
        required = [r for r in node.get("required", []) if r in props]
        if len(required) < len(node.get("required", [])):
            self.notes.append(f"{path}: required names without a property schema dropped")
        if required:
            out["required"] = required
        extra = node.get("additionalProperties")
        if extra is False:
            self.lossy(path, "additionalProperties: false not enforced", hints, "No other properties.")
        elif isinstance(extra, dict) and extra:
            self.lossy(path, "additionalProperties schema dropped", hints, "Other properties allowed.")
        if "patternProperties" in node:
            self.lossy(path, "patternProperties dropped", hints, "Other properties allowed.")
        for key in ("minProperties", "maxProperties"):
            if key in node:
                out[key] = node[key]

    def _array(self, node: dict[str, Any], path: str, out: dict[str, Any], hints: list[str]) -> None:
        items = node.get("items")
        if isinstance(items, list) or "prefixItems" in node:
            raise SchemaRejected(f"{path}: tuple arrays (prefixItems) are not representable")
        if not isinstance(items, dict):
            raise SchemaRejected(f"{path}: array without 'items'; Gemini needs the item schema")
        out["items"] = self.node(items, f"{path}/items")
        for key in ("minItems", "maxItems"):
            if key in node:
                out[key] = node[key]

    def _string(self, node: dict[str, Any], path: str, out: dict[str, Any], hints: list[str]) -> None:
        self._scalar(node, path, out, hints, "string", ("minLength", "maxLength", "pattern"))

    def _integer(self, node: dict[str, Any], path: str, out: dict[str, Any], hints: list[str]) -> None:
        self._scalar(node, path, out, hints, "integer", ("minimum", "maximum"))
        low, high = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
        if isinstance(low, bool) or isinstance(high, bool):
            self.lossy(path, "draft-4 boolean exclusive bounds dropped", hints, "Bounds exclusive.")
            return
        if isinstance(low, int | float):  # integers: x > low  <=>  x >= floor(low) + 1
            bound = math.floor(low) + 1
            out["minimum"] = max(out.get("minimum", bound), bound)
        if isinstance(high, int | float):
            bound = math.ceil(high) - 1
            out["maximum"] = min(out.get("maximum", bound), bound)

    def _number(self, node: dict[str, Any], path: str, out: dict[str, Any], hints: list[str]) -> None:
        self._scalar(node, path, out, hints, "number", ("minimum", "maximum"))
        for key, target in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if key in node:
                out.setdefault(target, node[key])
                self.lossy(path, f"{key} relaxed to {target}", hints, f"{key}: {node[key]}")

    def _boolean(self, node: dict[str, Any], path: str, out: dict[str, Any], hints: list[str]) -> None:
        self._scalar(node, path, out, hints, "boolean", ())

    def _scalar(
        self, node: dict[str, Any], path: str, out: dict[str, Any], hints: list[str], kind: str,
        keep: tuple[str, ...],
    ) -> None:  # fmt: skip
        for key in keep:
            if key in node:
                out[key] = node[key]
        fmt = node.get("format")
        if fmt is not None:
            if fmt in FORMATS.get(kind, set()):
                out["format"] = fmt
            else:
                self.lossy(path, f"format {fmt!r} not supported", hints, f"Format: {fmt}.")
        values = node["enum"] if "enum" in node else [node["const"]] if "const" in node else None
        if values is None:
            return
        if None in values:
            out["nullable"] = True
            values = [v for v in values if v is not None]
        if kind == "string" and all(isinstance(v, str) for v in values):
            out["enum"] = values
        else:
            allowed = ", ".join(_text(v) for v in values)
            self.lossy(
                path, f"non-string enum/const dropped ({allowed})", hints, f"Allowed values: {allowed}."
            )

    @staticmethod
    def _describe(node: dict[str, Any], out: dict[str, Any], hints: list[str]) -> None:
        parts = [str(node.get("description") or node.get("title") or "")]
        if "default" in node:
            parts.append(f"Default: {_text(node['default'])}")
        examples = node.get("examples") or ([node["example"]] if "example" in node else [])
        if examples:
            parts.append(f"Example: {_text(examples[0])}")
        parts.extend(hints)
        text = " ".join(_sentence(p) for p in parts if p.strip())
        if text:
            out["description"] = text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1] in ".!?" else text + "."


def _split_type_list(node: dict[str, Any]) -> dict[str, Any]:
    """``type: [A, B, …]`` (two or more non-null types) → ``anyOf`` of one variant per type."""
    kinds = node.get("type")
    if not isinstance(kinds, list) or len([k for k in kinds if k != "null"]) < 2:
        return node
    shared = {k: v for k, v in node.items() if k not in _DESCRIPTIVE and k != "type"}
    variants = [{**shared, "type": k} if k != "null" else {"type": "null"} for k in kinds]
    return {**{k: v for k, v in node.items() if k in _DESCRIPTIVE}, "anyOf": variants}


def _json_type(values: list[Any]) -> str | None:
    kinds = {
        "boolean" if isinstance(v, bool) else "integer" if isinstance(v, int)
        else "number" if isinstance(v, float) else "string" if isinstance(v, str) else "other"
        for v in values if v is not None
    }  # fmt: skip
    if kinds == {"integer", "number"}:
        return "number"
    return kinds.pop() if len(kinds) == 1 and "other" not in kinds else None


def translate_gemini(schema: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    inlined, _ = inline_refs(schema, keep_recursive=False)
    notes: list[str] = []
    root = normalize_root(inlined, notes)
    translator = _Translator()
    out = translator.node(root, "#")
    out.setdefault("properties", {})
    return out, notes + translator.notes
