"""Provider-independent schema surgery: local ``$ref`` inlining, ``allOf`` merging, and turning the
root into one ``type: object`` (every tool input is an object).

Inlining is bounded: the expansion is first measured (``tool_sdk.expansion``: memoized, aborting
past ``MAX_EXPANDED_SCHEMA_BYTES`` or ``MAX_SCHEMA_DEPTH``), so a schema whose nested references use
the next level twice is rejected in linear time; then each reference's expansion is built once and
reused (the result shares those subtrees: never mutate it; ``normalize_root`` returns a copy)."""

from __future__ import annotations

import copy
import json
from typing import Any

from tool_sdk.expansion import (
    SCHEMA_LIST_KEYS,
    SCHEMA_MAP_KEYS,
    SCHEMA_VALUE_KEYS,
    UNRESOLVED,
    expansion_problem,
    follow_pointer,
)

__all__ = [
    "SCHEMA_LIST_KEYS",
    "SCHEMA_MAP_KEYS",
    "SCHEMA_VALUE_KEYS",
    "SchemaRejected",
    "inline_refs",
    "merge_all_of",
    "normalize_root",
]


class SchemaRejected(ValueError):
    """A schema a provider cannot accept; the message is the precise reason."""


def map_subschemas(node: dict[str, Any], fn: Any) -> dict[str, Any]:
    """A copy of ``node`` with ``fn(subschema, key_path)`` applied to each direct subschema."""
    out = dict(node)
    for key in SCHEMA_VALUE_KEYS:
        value = node.get(key)
        if isinstance(value, dict):
            out[key] = fn(value, key)
        elif key == "items" and isinstance(value, list):  # draft-4 tuple form
            out[key] = [fn(v, f"items/{i}") for i, v in enumerate(value)]
    for key in SCHEMA_LIST_KEYS:
        if isinstance(node.get(key), list):
            out[key] = [fn(v, f"{key}/{i}") if isinstance(v, dict) else v for i, v in enumerate(node[key])]
    for key in SCHEMA_MAP_KEYS:
        if key in ("$defs", "definitions"):
            continue
        if isinstance(node.get(key), dict):
            out[key] = {k: fn(v, f"{key}/{k}") if isinstance(v, dict) else v for k, v in node[key].items()}
    return out


def _pointer(root: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#"):
        raise SchemaRejected(f"$ref {ref!r} is not a local reference ('#/…'); inline it")
    target = follow_pointer(root, ref)
    if target is UNRESOLVED:
        raise SchemaRejected(f"$ref {ref!r} does not resolve")
    if not isinstance(target, dict | bool):
        raise SchemaRejected(f"$ref {ref!r} does not point to a schema")
    return target


def inline_refs(schema: dict[str, Any], *, keep_recursive: bool) -> tuple[dict[str, Any], bool]:
    """Replace local ``$ref``s by their targets (siblings of ``$ref`` win over the target's keys).

    A recursive reference cannot be inlined: with ``keep_recursive`` it stays a ``$ref`` and the
    definitions it needs are kept (returns ``(schema, True)``); otherwise it is rejected.
    """
    problem = expansion_problem(schema)
    if problem:
        raise SchemaRejected(problem)
    kept: set[str] = set()
    done: dict[str, Any] = {}  # ref -> its expansion, when it does not depend on the refs above it
    cycles = [0]

    def visit(node: Any, stack: tuple[str, ...]) -> Any:
        if not isinstance(node, dict):
            return node
        for dynamic in ("$dynamicRef", "$recursiveRef"):
            if dynamic in node:
                raise SchemaRejected(f"{dynamic} is not supported; use a local $ref")
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in stack:
                if not keep_recursive:
                    raise SchemaRejected(f"recursive $ref {ref!r} cannot be inlined")
                kept.add(ref)
                cycles[0] += 1
                return dict(node)
            resolved = done.get(ref)
            if resolved is None:
                target = _pointer(schema, ref)
                if target is True:
                    target = {}
                if target is False:
                    raise SchemaRejected(f"$ref {ref!r} points to the 'false' schema")
                before = cycles[0]
                resolved = visit(target, (*stack, ref))
                if cycles[0] == before:  # no recursive reference inside: the same wherever used
                    done[ref] = resolved
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return {**resolved, **visit(siblings, stack)} if siblings else dict(resolved)
        return map_subschemas(node, lambda sub, _key: visit(sub, stack))

    result = visit(schema, ())
    for key in ("$defs", "definitions"):
        result.pop(key, None)
    if kept:
        defs_key = "$defs" if any(r.startswith("#/$defs/") for r in kept) else "definitions"
        original = schema.get(defs_key)
        if isinstance(original, dict):
            result[defs_key] = {name: visit(sub, (f"#/{defs_key}/{name}",)) for name, sub in original.items()}
    return result, bool(kept)


def merge_all_of(node: dict[str, Any], path: str) -> dict[str, Any]:
    """Fold ``allOf`` into its parent: properties and required are unioned; any other keyword must
    agree across branches (else the schema is rejected — the intersection is not representable)."""
    branches = node.get("allOf")
    if not isinstance(branches, list):
        return node
    merged = {k: v for k, v in node.items() if k != "allOf"}
    for index, branch in enumerate(branches):
        if not isinstance(branch, dict):
            raise SchemaRejected(f"{path}/allOf/{index}: boolean branches are not supported")
        branch = merge_all_of(branch, f"{path}/allOf/{index}")
        for key, value in branch.items():
            if key == "properties":
                props = dict(merged.get("properties", {}))
                for name, sub in value.items():
                    if name in props and props[name] != sub:
                        raise SchemaRejected(f"{path}: allOf branches define property {name!r} differently")
                    props[name] = sub
                merged["properties"] = props
            elif key == "required":
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
            elif key in ("description", "title") and key in merged:
                continue
            elif key in merged and merged[key] != value:
                raise SchemaRejected(f"{path}: allOf branches disagree on {key!r}")
            else:
                merged[key] = value
    return merged


def _is_object_schema(node: Any) -> bool:
    return isinstance(node, dict) and (node.get("type") == "object" or "properties" in node)


def normalize_root(schema: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """Make the root one ``type: object``: fold ``allOf``; merge a top-level ``anyOf``/``oneOf`` of
    object variants into one object (lossy: only properties every variant requires stay required)."""
    root = {k: v for k, v in merge_all_of(schema, "#").items() if k not in ("$schema", "$id")}
    for key in ("anyOf", "oneOf"):
        variants = root.get(key)
        if variants is None:
            continue
        if not isinstance(variants, list) or not all(_is_object_schema(v) for v in variants):
            raise SchemaRejected(f"top-level {key} must list object schemas only")
        root.pop(key)
        props: dict[str, Any] = dict(root.get("properties", {}))
        required_sets = []
        for variant in variants:
            variant = merge_all_of(variant, f"#/{key}")
            for name, sub in variant.get("properties", {}).items():
                props.setdefault(name, sub)
            required_sets.append(set(variant.get("required", [])))
        common = set.intersection(*required_sets) if required_sets else set()
        root["properties"] = props
        root["required"] = list(dict.fromkeys([*root.get("required", []), *sorted(common)]))
        notes.append(
            f"top-level {key} of {len(variants)} object variants merged into one object "
            "(variant-specific required properties became optional; exclusivity not enforced)"
        )
    kind = root.get("type", "object")
    if isinstance(kind, list) and set(kind) <= {"object", "null"} and "object" in kind:
        kind = "object"
    if kind != "object":
        raise SchemaRejected(f"the root must be type 'object' (got {json.dumps(kind)})")
    for key in ("not", "enum", "const"):
        if key in root:
            raise SchemaRejected(f"top-level {key!r} is not supported")
    root["type"] = "object"
    if not root.get("required"):
        root.pop("required", None)
    return copy.deepcopy(root)
