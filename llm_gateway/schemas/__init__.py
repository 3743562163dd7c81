"""Tool-schema portability: per-provider translators and the checkers behind the manifest's hook.

:func:`translate_schema` turns a tool's JSON Schema into what a provider accepts (cached), or raises
:class:`SchemaRejected` with the precise reason. :func:`schema_checkers` is the zero-argument
callable of the ``sfn_agents.schema_checkers`` entry point: it maps each real provider to a checker
returning a :class:`tool_sdk.portability.SchemaVerdict` (the offline provider is deliberately absent:
it accepts anything and must not make every schema "portable").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from llm_gateway.schemas.walk import SchemaRejected
from tool_sdk.bounds import ContentCache, content_key
from tool_sdk.limits import SCHEMA_CACHE_ENTRIES
from tool_sdk.portability import SchemaChecker, SchemaVerdict, register_schema_checker

__all__ = [
    "DESCRIPTION_LIMITS",
    "DIALECTS",
    "SchemaRejected",
    "Translation",
    "check_description",
    "check_schema",
    "register_checkers",
    "schema_checkers",
    "translate_schema",
]

DIALECTS = ("anthropic", "bedrock", "gemini", "openai")
# Providers' documented limits on a tool's description (characters); the others document none.
# OpenAI: "Invalid 'tools[i].function.description': string too long ... maximum length 1024".
DESCRIPTION_LIMITS: dict[str, int] = {"openai": 1024}


@dataclass(frozen=True)
class Translation:
    """A provider-ready schema (shared by a cache: never mutate it) and the lossy-change notes."""

    schema: dict[str, Any]
    lossy: tuple[str, ...] = ()


def translate_schema(dialect: str, schema: dict[str, Any]) -> Translation:
    """Translate ``schema`` for ``dialect``; raises :class:`SchemaRejected` with the reason."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown schema dialect {dialect!r}; known: {DIALECTS}")
    if not isinstance(schema, dict):
        raise SchemaRejected("the schema must be a JSON object")
    try:
        text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as exc:
        raise SchemaRejected(f"the schema is not JSON data: {str(exc)[:200]}") from None
    key = content_key(dialect, text)
    cached = _translations.get(key)
    if cached is None:  # translate a private copy: the cached result shares nothing with the caller
        cached = _translate(dialect, json.loads(text))
        _translations.put(key, cached)
    return cached


# Keyed by the SHA-256 of (dialect, schema text), never by the text: memory stays bounded by the
# entry count times the largest expansion a schema may have (tool_sdk.limits).
_translations: ContentCache[Translation] = ContentCache(SCHEMA_CACHE_ENTRIES)


def _translate(dialect: str, schema: dict[str, Any]) -> Translation:
    if dialect == "gemini":
        from llm_gateway.schemas.gemini import translate_gemini

        out, notes = translate_gemini(schema)
    else:
        from llm_gateway.schemas.standard import translate_jsonschema

        out, notes = translate_jsonschema(schema, dialect)
    return Translation(out, tuple(dict.fromkeys(notes)))


def check_description(dialect: str, description: str) -> None:
    """Raise :class:`SchemaRejected` when ``dialect`` documents a shorter limit for tool descriptions."""
    limit = DESCRIPTION_LIMITS.get(dialect)
    if limit is not None and len(description) > limit:
        raise SchemaRejected(
            f"the tool description is {len(description)} characters; {dialect} accepts at most {limit}"
        )


def check_schema(dialect: str, schema: dict[str, Any]) -> SchemaVerdict:
    try:
        translation = translate_schema(dialect, schema)
    except SchemaRejected as exc:
        return SchemaVerdict(provider=dialect, accepted=False, reason=str(exc))
    return SchemaVerdict(provider=dialect, accepted=True, lossy=translation.lossy)


def _checker(dialect: str) -> SchemaChecker:
    def check(schema: dict[str, Any]) -> SchemaVerdict:
        return check_schema(dialect, schema)

    check.__name__ = f"check_{dialect}_schema"
    if dialect in DESCRIPTION_LIMITS:  # read by tool_sdk.portability.check_portability
        check.max_description_chars = DESCRIPTION_LIMITS[dialect]  # type: ignore[attr-defined]
    return check


def schema_checkers() -> dict[str, SchemaChecker]:
    """Entry point ``sfn_agents.schema_checkers``: ``{provider: checker}`` for every real provider."""
    return {dialect: _checker(dialect) for dialect in DIALECTS}


def register_checkers() -> None:
    """Register the checkers explicitly (when entry points are not installed)."""
    for provider, checker in schema_checkers().items():
        register_schema_checker(provider, checker)
