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
from functools import lru_cache
from typing import Any

from llm_gateway.schemas.walk import SchemaRejected
from tool_sdk.portability import SchemaChecker, SchemaVerdict, register_schema_checker

__all__ = [
    "DIALECTS",
    "SchemaRejected",
    "Translation",
    "check_schema",
    "register_checkers",
    "schema_checkers",
    "translate_schema",
]

DIALECTS = ("anthropic", "bedrock", "gemini", "openai")


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
        key = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise SchemaRejected(f"the schema is not JSON data: {exc}") from None
    return _translate_cached(dialect, key)


@lru_cache(maxsize=1024)
def _translate_cached(dialect: str, key: str) -> Translation:
    schema = json.loads(key)
    if dialect == "gemini":
        from llm_gateway.schemas.gemini import translate_gemini

        out, notes = translate_gemini(schema)
    else:
        from llm_gateway.schemas.standard import translate_jsonschema

        out, notes = translate_jsonschema(schema, dialect)
    return Translation(out, tuple(dict.fromkeys(notes)))


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
    return check


def schema_checkers() -> dict[str, SchemaChecker]:
    """Entry point ``sfn_agents.schema_checkers``: ``{provider: checker}`` for every real provider."""
    return {dialect: _checker(dialect) for dialect in DIALECTS}


def register_checkers() -> None:
    """Register the checkers explicitly (when entry points are not installed)."""
    for provider, checker in schema_checkers().items():
        register_schema_checker(provider, checker)
