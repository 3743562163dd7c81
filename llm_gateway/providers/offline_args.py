"""Deterministic tool choice and argument building for the offline provider (no language model).

Tool choice: word overlap between the prompt and each tool's name (counted twice) and description.
Arguments: built from the tool's input schema and the prompt — ``name=value`` / ``name: value``
mentions first, then (by type) enum values mentioned in the prompt, dates, numbers and quoted
strings in order of appearance, schema defaults, and finally the prompt text itself for strings.
"""

from __future__ import annotations

import json
import re
from typing import Any

from llm_gateway.models import ToolSpec
from llm_gateway.schemas.walk import SchemaRejected, inline_refs

__all__ = ["build_arguments", "choose_tool"]

_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'|“([^”]*)”")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_DATETIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_STOP = {
    "the", "and", "for", "with", "from", "into", "that", "this", "what", "which", "please", "can",
    "you", "use", "using", "tool", "give", "tell", "about", "are", "was", "how", "does", "its",
    "then", "than", "your", "our", "all", "any", "get", "make", "let", "have", "has", "not",
}  # fmt: skip


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower().replace("_", " ")) if len(w) >= 3 and w not in _STOP}


def choose_tool(prompt: str, tools: list[ToolSpec]) -> ToolSpec | None:
    """The tool whose name and description share most words with the prompt (first on ties)."""
    said = _words(prompt)
    best, best_score = None, 0
    for tool in tools:
        score = 2 * len(said & _words(tool.name.replace("-", " "))) + len(said & _words(tool.description))
        if score > best_score:
            best, best_score = tool, score
    return best


class _Builder:
    def __init__(self, prompt: str) -> None:
        self.prompt = prompt
        self.numbers = [m.group(0) for m in _NUMBER.finditer(prompt)]
        self.quoted = [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(prompt)]

    def mention(self, name: str) -> str | None:
        match = re.search(rf"(?<![\w-]){re.escape(name)}\s*[:=]\s*(\"[^\"]*\"|'[^']*'|[^\s,;]+)", self.prompt)
        return match.group(1).strip("\"'") if match else None

    def value(self, schema: Any, name: str) -> Any:
        if not isinstance(schema, dict):
            return None
        if "const" in schema:
            return schema["const"]
        for key in ("anyOf", "oneOf"):
            variants = [v for v in schema.get(key, []) if isinstance(v, dict) and v.get("type") != "null"]
            if variants:
                rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
                return self.value({**rest, **variants[0]}, name)
        mentioned = self.mention(name) if name else None
        if schema.get("enum"):
            lowered = (mentioned or self.prompt).lower()
            hits = [v for v in schema["enum"] if str(v).lower() in lowered]
            return hits[0] if hits else schema["enum"][0]
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        kind = kind or ("object" if "properties" in schema else "array" if "items" in schema else "string")
        return getattr(self, f"_{kind}", self._string)(schema, name, mentioned)

    def _object(self, schema: dict[str, Any], _name: str, _mentioned: str | None) -> dict[str, Any]:
        props = schema.get("properties") or {}
        names = schema.get("required") or list(props)
        return {n: self.value(props.get(n, {"type": "string"}), n) for n in names}

    def _array(self, schema: dict[str, Any], name: str, _mentioned: str | None) -> list[Any]:
        count = max(1, int(schema.get("minItems", 1)))
        return [self.value(schema.get("items", {"type": "string"}), "") for _ in range(count)]

    def _number(self, schema: dict[str, Any], _name: str, mentioned: str | None) -> float | int:
        raw = mentioned if mentioned and _NUMBER.fullmatch(mentioned) else None
        if raw is None and self.numbers:
            raw = self.numbers.pop(0)
        if raw is None:
            return schema.get("default", schema.get("minimum", 0))
        value = float(raw)
        low, high = schema.get("minimum"), schema.get("maximum")
        value = max(value, low) if isinstance(low, int | float) else value
        return min(value, high) if isinstance(high, int | float) else value

    def _integer(self, schema: dict[str, Any], name: str, mentioned: str | None) -> int:
        return int(self._number(schema, name, mentioned))

    def _boolean(self, schema: dict[str, Any], _name: str, mentioned: str | None) -> bool:
        if mentioned is not None:
            return mentioned.lower() in ("true", "yes", "1", "on")
        return bool(schema.get("default", False))

    def _null(self, _schema: dict[str, Any], _name: str, _mentioned: str | None) -> None:
        return None

    def _string(self, schema: dict[str, Any], _name: str, mentioned: str | None) -> str:
        fmt = schema.get("format")
        patterns = {"date": _DATE, "date-time": _DATETIME, "email": _EMAIL}
        if mentioned is not None:
            text = mentioned
        elif fmt in patterns and (found := patterns[fmt].search(self.prompt)):
            text = found.group(0)
        elif self.quoted:
            text = self.quoted.pop(0)
        elif "default" in schema:
            text = str(schema["default"])
        else:
            text = self.prompt.strip()
        limit = schema.get("maxLength")
        return text[:limit] if isinstance(limit, int) else text


def build_arguments(schema: dict[str, Any], prompt: str) -> dict[str, Any]:
    """Arguments for a tool with ``schema`` from ``prompt`` (deterministic; may fail validation)."""
    try:
        resolved, _ = inline_refs(schema, keep_recursive=False)
    except SchemaRejected:
        resolved = {k: v for k, v in schema.items() if k not in ("$defs", "definitions")}
    value = _Builder(prompt).value({**resolved, "type": "object"}, "")
    return value if isinstance(value, dict) else {}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
