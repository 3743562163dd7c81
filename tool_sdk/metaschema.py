"""Is a tool schema a valid JSON Schema (draft 2020-12) within the limits? Bounded and cached.

:func:`schema_problems` checks the limits first (tool_sdk.bounds: bounded walks), so content over a
limit never reaches the metaschema validator. The validator uses the 2020-12 metaschema flattened
into one document: the seven vocabulary metaschemas merged (their keywords are disjoint) and
``$dynamicRef: "#meta"`` resolved to the document itself. It accepts and rejects exactly what the
official metaschema does for the standard dialect, about six times faster (jsonschema resolves each
``$dynamicRef`` through the whole dynamic scope, for each of the seven vocabularies, at every
subschema), and reports each problem once. Verdicts are cached by content hash, never by text.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from jsonschema import Draft202012Validator
from jsonschema_specifications import REGISTRY

from tool_sdk.bounds import ContentCache, content_key, schema_limit_problems
from tool_sdk.limits import SCHEMA_CACHE_ENTRIES

__all__ = ["flat_metaschema", "schema_problems"]


def schema_problems(schema: Any) -> list[tuple[str, str]]:
    """Every reason ``schema`` is not a usable tool schema, as (sub-path, message) pairs.

    The limits (tool_sdk.limits) are checked first, by bounded walks: content over a limit never
    reaches the metaschema validator, whose verdicts are cached by content hash (never by text)."""
    if not isinstance(schema, dict):
        return [("", "must be a JSON Schema object")]
    over = schema_limit_problems(schema)
    if over:
        return [(p.path, p.message) for p in over]
    try:
        text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return [("", "must contain only JSON values")]
    key = content_key(text)
    cached = _problems_cache.get(key)
    if cached is None:
        cached = _metaschema_problems(schema)
        _problems_cache.put(key, cached)
    return list(cached)


# Metaschema validation costs milliseconds (jsonschema walks $dynamicRef); the registrar and the
# regenerator see the same schemas again and again, so verdicts are memoized by content hash.
_problems_cache: ContentCache[tuple[tuple[str, str], ...]] = ContentCache(SCHEMA_CACHE_ENTRIES)


def _metaschema_problems(schema: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    problems: list[tuple[str, str]] = []
    validator = _metaschema_validator()
    for error in sorted(validator.iter_errors(schema), key=lambda e: list(map(str, e.path))):
        # The metaschema error's path is the location inside the schema being checked.
        path = ".".join(str(p) for p in error.path)
        message = error.message
        if error.path and error.path[-1] == "type" and error.validator == "anyOf":
            message = (
                f"{error.instance!r} is not a JSON Schema type "
                "(array, boolean, integer, null, number, object, string)"
            )
        problems.append((path, _short(message)))
    if schema.get("type") != "object":
        problems.append(("type", f"root must have type 'object', got {_short(repr(schema.get('type')), 80)}"))
    return tuple(problems)


@lru_cache(maxsize=1)
def _metaschema_validator() -> Draft202012Validator:
    return Draft202012Validator(flat_metaschema())


def flat_metaschema() -> dict[str, Any]:
    """The draft 2020-12 metaschema as one self-contained document (see the module docstring)."""
    meta = Draft202012Validator.META_SCHEMA
    properties: dict[str, Any] = {}
    defs: dict[str, Any] = {}
    for vocabulary in meta["allOf"]:
        document = REGISTRY.contents(urljoin(meta["$id"], vocabulary["$ref"]))
        assert not set(properties) & set(document.get("properties", {})), "vocabularies overlap"
        properties.update(document.get("properties", {}))
        defs.update(document.get("$defs", {}))
    properties.update(meta.get("properties", {}))  # keywords of earlier drafts (definitions, …)
    return {
        "$schema": meta["$schema"],
        "type": ["object", "boolean"],
        "properties": _local_refs(properties),
        "$defs": _local_refs(defs),
    }


def _local_refs(value: Any) -> Any:
    """``$dynamicRef: "#meta"`` → ``$ref: "#"``; ``meta/core#/$defs/x`` → ``#/$defs/x``."""
    if isinstance(value, list):
        return [_local_refs(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, sub in value.items():
        if key == "$dynamicRef" and sub == "#meta":
            out["$ref"] = "#"
        elif key == "$ref" and isinstance(sub, str):
            out["$ref"] = "#" + sub.partition("#")[2]
        else:
            out[key] = _local_refs(sub)
    return out


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
