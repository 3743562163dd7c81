"""Translators for providers that take (almost) full JSON Schema: Anthropic, OpenAI, Bedrock.

All three need a root ``type: object`` without a top-level union (Anthropic: "input_schema does not
support oneOf, allOf, or anyOf at the top level"; OpenAI: function parameters must be an object
without top-level ``oneOf``/``anyOf``/``allOf``/``enum``/``not``). Local ``$ref``s are inlined so the
schema is self-contained. Recursive schemas keep their ``$ref``/``$defs`` for Anthropic and OpenAI,
which resolve them; Bedrock's Converse passes schemas on to models of several families, so the
Bedrock translation insists on a self-contained (non-recursive) schema. OpenAI rejects array schemas
without ``items``.
"""

from __future__ import annotations

from typing import Any

from llm_gateway.schemas.walk import SchemaRejected, inline_refs, map_subschemas, normalize_root

__all__ = ["translate_jsonschema"]

_KEEPS_RECURSION = {"anthropic": True, "openai": True, "bedrock": False}


def _require_array_items(node: Any, path: str) -> None:
    if not isinstance(node, dict):
        return
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "array" in kinds and "items" not in node:
        raise SchemaRejected(f"{path}: array schema without 'items' (OpenAI requires items)")

    def visit(sub: Any, key: str) -> Any:
        _require_array_items(sub, f"{path}/{key}")
        return sub

    map_subschemas(node, visit)


def translate_jsonschema(schema: dict[str, Any], dialect: str) -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    inlined, _recursive = inline_refs(schema, keep_recursive=_KEEPS_RECURSION[dialect])
    root = normalize_root(inlined, notes)
    if dialect == "openai":
        _require_array_items(root, "#")
        for defs_key in ("$defs", "definitions"):
            for name, sub in (root.get(defs_key) or {}).items():
                _require_array_items(sub, f"#/{defs_key}/{name}")
    return root, notes
