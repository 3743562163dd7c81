"""Each provider's documented tool-schema subset, encoded as a checker: ``problems(schema) -> []``
when the schema conforms.

* Anthropic — tool ``input_schema`` is "a JSON Schema object defining the expected parameters for
  the tool" (docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use); the API
  answers "input_schema does not support oneOf, allOf, or anyOf at the top level" to top-level
  unions. Checked: valid draft 2020-12, root ``type: object``, no top-level combinators, every
  ``$ref`` local and resolvable.
* OpenAI — function ``parameters`` are "described as a JSON Schema object"
  (platform.openai.com/docs/guides/function-calling; api-reference/chat/create ``tools``). The API
  rejects a non-object root, top-level ``oneOf``/``anyOf``/``allOf``/``enum``/``not``, and array
  schemas without ``items`` ("array schema missing items"). Checked: the Anthropic rules plus those.
* Gemini — ``FunctionDeclaration.parameters`` is a ``Schema`` object, "a select subset of an OpenAPI
  3.0 schema object" (ai.google.dev/gemini-api/docs/function-calling; field list at
  ai.google.dev/api/caching#Schema; formats: ``float``/``double``, ``int32``/``int64``,
  ``enum``/``date-time``). The Developer API rejects ``additionalProperties`` (the google-genai SDK
  refuses it outside Vertex), OBJECT schemas need non-empty ``properties``, enum values are
  strings, and parameter names are ``[A-Za-z_][A-Za-z0-9_]*`` up to 64 characters (Vertex AI
  ``FunctionDeclaration`` reference).
* Bedrock — Converse ``ToolInputSchema.json``: "The JSON schema for the tool"
  (docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolInputSchema.html). Converse
  forwards it to models of several families; the gateway's profile is the Anthropic rules with a
  self-contained schema (no ``$ref`` at all).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

__all__ = ["CHECKERS", "problems"]

_SUBSCHEMA_VALUE = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames")
_SUBSCHEMA_LIST = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMA_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def _walk(node: Any, path: str = "#"):
    if not isinstance(node, dict):
        return
    yield path, node
    for key in _SUBSCHEMA_VALUE:
        if isinstance(node.get(key), dict):
            yield from _walk(node[key], f"{path}/{key}")
    for key in _SUBSCHEMA_LIST:
        for i, sub in enumerate(node.get(key) or []):
            yield from _walk(sub, f"{path}/{key}/{i}")
    for key in _SUBSCHEMA_MAP:
        for name, sub in (node.get(key) or {}).items():
            yield from _walk(sub, f"{path}/{key}/{name}")


def _resolves(root: dict[str, Any], ref: str) -> bool:
    if not ref.startswith("#/"):
        return False
    target: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(target, dict) or part not in target:
            return False
        target = target[part]
    return isinstance(target, dict)


def _jsonschema_rules(schema: dict[str, Any], *, refs_allowed: bool) -> list[str]:
    out: list[str] = []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        out.append(f"not a valid draft 2020-12 schema: {exc.message}")
    if schema.get("type") != "object":
        out.append("root is not type 'object'")
    out += [f"top-level {k}" for k in ("anyOf", "oneOf", "allOf") if k in schema]
    for path, node in _walk(schema):
        ref = node.get("$ref")
        if ref is None:
            continue
        if not refs_allowed:
            out.append(f"{path}: $ref present")
        elif not _resolves(schema, ref):
            out.append(f"{path}: $ref {ref!r} is not local/resolvable")
    return out


def anthropic_problems(schema: dict[str, Any]) -> list[str]:
    return _jsonschema_rules(schema, refs_allowed=True)


def openai_problems(schema: dict[str, Any]) -> list[str]:
    out = _jsonschema_rules(schema, refs_allowed=True)
    out += [f"top-level {k}" for k in ("enum", "not") if k in schema]
    for path, node in _walk(schema):
        kinds = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
        if "array" in kinds and "items" not in node:
            out.append(f"{path}: array without items")
    return out


def bedrock_problems(schema: dict[str, Any]) -> list[str]:
    return _jsonschema_rules(schema, refs_allowed=False)


GEMINI_FIELDS = {
    "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems",
    "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength",
    "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum",
}  # fmt: skip
GEMINI_TYPES = {"string", "number", "integer", "boolean", "array", "object"}
GEMINI_FORMATS = {
    "number": {"float", "double"},
    "integer": {"int32", "int64"},
    "string": {"enum", "date-time"},
}
_PARAM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def gemini_problems(schema: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if str(schema.get("type", "")).lower() != "object":
        out.append("root is not type OBJECT")
    out += [f"parameter name {n!r}" for n in schema.get("properties", {}) if not _PARAM.match(n)]
    for path, node in _walk(schema):
        out += [f"{path}: field {k!r} not in the Gemini Schema" for k in node if k not in GEMINI_FIELDS]
        kind = node.get("type")
        if "anyOf" in node:
            if kind is not None:
                out.append(f"{path}: type beside anyOf")
            if not isinstance(node["anyOf"], list) or not node["anyOf"]:
                out.append(f"{path}: anyOf must be a non-empty list")
            continue
        if not isinstance(kind, str) or kind.lower() not in GEMINI_TYPES:
            out.append(f"{path}: type {kind!r} is not a Gemini type")
            continue
        kind = kind.lower()
        if "format" in node and node["format"] not in GEMINI_FORMATS.get(kind, set()):
            out.append(f"{path}: format {node['format']!r} not supported for {kind}")
        if "enum" in node and (kind != "string" or not all(isinstance(v, str) for v in node["enum"])):
            out.append(f"{path}: enum values must be strings of a STRING schema")
        if kind == "object" and path != "#" and not node.get("properties"):
            out.append(f"{path}: OBJECT without properties")
        if kind == "array" and not isinstance(node.get("items"), dict):
            out.append(f"{path}: ARRAY without items")
        missing = set(node.get("required", [])) - set(node.get("properties", {}))
        if missing:
            out.append(f"{path}: required names without properties: {sorted(missing)}")
        if "nullable" in node and not isinstance(node["nullable"], bool):
            out.append(f"{path}: nullable must be a boolean")
    return out


CHECKERS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "anthropic": anthropic_problems,
    "openai": openai_problems,
    "gemini": gemini_problems,
    "bedrock": bedrock_problems,
}


def problems(provider: str, schema: dict[str, Any]) -> list[str]:
    return CHECKERS[provider](schema)
