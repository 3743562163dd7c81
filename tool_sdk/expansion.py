"""The JSON size and depth of a schema once its local references are inlined, measured cheaply.

:func:`expansion_problem` follows references exactly where ``llm_gateway.schemas.walk.inline_refs``
does (subschema positions only, ``$defs`` dropped, recursive references kept), reuses the count of
each reference once known (memoized), and aborts as soon as the expanded size passes
:data:`~tool_sdk.limits.MAX_EXPANDED_SCHEMA_BYTES` or the depth passes
:data:`~tool_sdk.limits.MAX_SCHEMA_DEPTH`: nested references that use the next level twice cost
linear, not exponential, time, and the walk never recurses deeper than the limits it enforces.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from tool_sdk.errors import SfaError
from tool_sdk.limits import MAX_EXPANDED_SCHEMA_BYTES, MAX_REF_NESTING, MAX_SCHEMA_DEPTH

__all__ = [
    "SCHEMA_LIST_KEYS",
    "SCHEMA_MAP_KEYS",
    "SCHEMA_VALUE_KEYS",
    "UNRESOLVED",
    "expansion_problem",
    "follow_pointer",
]

# Keywords whose values are subschemas (everything else is data: enum, const, default, examples…).
SCHEMA_VALUE_KEYS = (
    "items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
    "unevaluatedProperties", "unevaluatedItems", "additionalItems",
)  # fmt: skip
SCHEMA_LIST_KEYS = ("anyOf", "oneOf", "allOf", "prefixItems")
SCHEMA_MAP_KEYS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_DEFS_KEYS = ("$defs", "definitions")


class _BudgetError(SfaError):
    """Internal: a limit was passed while expanding (never escapes this module)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


UNRESOLVED = object()  # what follow_pointer returns for a pointer that names nothing


def follow_pointer(root: Any, ref: str) -> Any:
    """The value a local ``$ref`` (``#/a/b~1c/0``, RFC 6901) names in ``root``, or ``UNRESOLVED``."""
    target: Any = root
    for raw in unquote(ref[1:]).split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return UNRESOLVED
    return target


def _resolve(root: dict[str, Any], ref: str) -> Any:
    """The target of a local ``$ref`` (None when it does not resolve to a schema)."""
    target = follow_pointer(root, ref)
    if target is True:
        return {}
    return target if isinstance(target, dict) else None


class _Expansion:
    """Counts the JSON size and depth of a schema with its local $refs inlined (as
    ``llm_gateway.schemas.walk.inline_refs`` does), reusing each reference's count once known."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.total = 0
        self.cyclic = False
        self.memo: dict[str, tuple[int, int]] = {}  # ref -> (size, height) of its expansion

    def add(self, size: int) -> None:
        self.total += size
        if self.total > MAX_EXPANDED_SCHEMA_BYTES:
            raise _BudgetError(
                f"the schema expands to more than {MAX_EXPANDED_SCHEMA_BYTES} bytes once its $refs are "
                f"inlined (at least {self.total}); the limit is {MAX_EXPANDED_SCHEMA_BYTES}"
            )

    def value(self, value: Any, depth: int, refs: tuple[str, ...], mode: str) -> tuple[int, bool]:
        """Count ``value`` (``mode``: schema, schemas, map or data); returns (height, cycle seen)."""
        if isinstance(value, dict) and mode == "schema":
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                return self.ref(value, ref, depth, refs)
        if not isinstance(value, dict | list | tuple):
            self.add(len(value) + 2 if isinstance(value, str) else 8)
            return 0, False
        if depth > MAX_SCHEMA_DEPTH:
            raise _BudgetError(
                f"the schema nests more than {MAX_SCHEMA_DEPTH} levels once its $refs are inlined; "
                f"the limit is {MAX_SCHEMA_DEPTH}"
            )
        self.add(2 + len(value))
        height, cyclic = 0, False
        for key, sub in self.children(value, depth, mode):
            if isinstance(key, str):
                self.add(len(key) + 3)
            h, c = self.value(sub, depth + 1, refs, _child_mode(mode, key, sub))
            height, cyclic = max(height, h), cyclic or c
        return height + 1, cyclic

    def children(self, value: Any, depth: int, mode: str) -> Iterator[tuple[Any, Any]]:
        if not isinstance(value, dict):
            yield from enumerate(value)
            return
        for key, sub in value.items():
            if not (depth == 1 and mode == "schema" and key in _DEFS_KEYS):  # dropped once inlined
                yield key, sub

    def ref(self, node: dict[str, Any], ref: str, depth: int, refs: tuple[str, ...]) -> tuple[int, bool]:
        target = _resolve(self.root, ref)
        if ref in refs or target is None:  # kept as a $ref (recursive) or rejected later (unresolved)
            self.cyclic = self.cyclic or ref in refs
            height, _ = self.value(node, depth, refs, "data")
            return height, ref in refs
        known = self.memo.get(ref)
        if known is not None:
            self.add(known[0])
            height, cyclic = known[1], False
            if depth + height - 1 > MAX_SCHEMA_DEPTH:
                raise _BudgetError(
                    f"the schema nests {depth + height - 1} levels once its $refs are inlined; the limit "
                    f"is {MAX_SCHEMA_DEPTH}"
                )
        else:
            if len(refs) >= MAX_REF_NESTING:
                raise _BudgetError(
                    f"$refs nest more than {MAX_REF_NESTING} deep (a -> b -> …); "
                    f"the limit is {MAX_REF_NESTING}"
                )
            before = self.total
            height, cyclic = self.value(target, depth, (*refs, ref), "schema")
            if not cyclic:  # the same wherever it is used: reuse the count
                self.memo[ref] = (self.total - before, height)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if siblings:
            h, c = self.value(siblings, depth, refs, "schema")
            height, cyclic = max(height, h), cyclic or c
        return height, cyclic


def _child_mode(mode: str, key: Any, sub: Any) -> str:
    if mode in ("schemas", "map"):
        return "schema"
    if mode != "schema":
        return "data"
    if key in SCHEMA_VALUE_KEYS:
        return "schemas" if key == "items" and isinstance(sub, list) else "schema"
    if key in SCHEMA_LIST_KEYS and isinstance(sub, list):
        return "schemas"
    if key in SCHEMA_MAP_KEYS and key not in _DEFS_KEYS and isinstance(sub, dict):
        return "map"
    return "data"


def expansion_problem(schema: dict[str, Any]) -> str | None:
    """Why ``schema`` with its local $refs inlined breaks a limit (size, depth, $ref nesting), or None.

    When a reference is recursive the translators keep the definitions too, each expanded: they are
    counted then (an upper bound for every provider)."""
    expansion = _Expansion(schema)
    try:
        expansion.value(schema, 1, (), "schema")
        if expansion.cyclic:
            for key in _DEFS_KEYS:
                defs = schema.get(key)
                if isinstance(defs, dict):
                    for name, sub in defs.items():
                        expansion.value(sub, 2, (f"#/{key}/{name}",), "schema")
    except _BudgetError as exc:
        return exc.message
    return None
