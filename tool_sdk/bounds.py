"""Measuring untrusted JSON against :mod:`tool_sdk.limits` without ever doing unbounded work.

Every walk here is iterative and stops at the size limit, so no content can make it recurse or run
long; the ``$ref`` expansion is measured by :mod:`tool_sdk.expansion` (memoized, budgeted).
:class:`ContentCache` is the bounded LRU the schema caches use, keyed by content hash.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from typing import Any, Generic, TypeVar

from tool_sdk.errors import Problem
from tool_sdk.expansion import expansion_problem
from tool_sdk.limits import MAX_ENUM_VALUES, MAX_MANIFEST_BYTES, MAX_SCHEMA_DEPTH, MAX_SCHEMA_STRING_CHARS

__all__ = ["ContentCache", "content_key", "json_text_depth", "schema_limit_problems"]

_MAX_PROBLEMS = 10
_JSON_TOKENS = re.compile(r'[\[\]{}"\\]')


def json_text_depth(text: str, stop_above: int) -> int:
    """The deepest nesting of ``[``/``{`` in JSON ``text`` (strings skipped); linear, no parsing.

    Returns early (with a value above ``stop_above``) as soon as the depth passes ``stop_above``."""
    depth = deepest = 0
    in_string = False
    skip = -1
    for m in _JSON_TOKENS.finditer(text):
        i = m.start()
        if i == skip:
            continue
        c = text[i]
        if in_string:
            if c == "\\":
                skip = i + 1  # the escaped character (a quote or a backslash) is not a token
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    return deepest
        elif c in "]}":
            depth -= 1
    return deepest


def _unicode_ok(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def schema_limit_problems(schema: Any, path: str = "") -> list[Problem]:
    """Why ``schema`` breaks a limit (depth, size, strings, enums; then its $ref expansion), by path.

    Iterative: it stops descending past the depth limit and stops altogether past the size limit, so
    even a self-referencing Python object is measured in bounded time."""
    problems: list[Problem] = []
    size = deepest = 0
    too_deep: str | None = None
    stack: list[tuple[Any, int, str]] = [(schema, 1, path)]
    while stack and len(problems) < _MAX_PROBLEMS:
        value, depth, where = stack.pop()
        if isinstance(value, dict | list | tuple):
            deepest = max(deepest, depth)
            if depth > MAX_SCHEMA_DEPTH and too_deep is None:
                too_deep = where
            size += 2 + len(value)
            if isinstance(value, dict) and isinstance(value.get("enum"), list | tuple):
                count = len(value["enum"])
                if count > MAX_ENUM_VALUES:
                    message = f"enum has {count} values; the limit is {MAX_ENUM_VALUES}"
                    problems.append(Problem(_join(where, "enum"), message))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, sub in reversed(list(items)):
                if isinstance(key, str):
                    size += len(key) + 3
                    _check_string(key, _join(where, key), "property or keyword name", problems)
                stack.append((sub, depth + 1, _join(where, key)))
        elif isinstance(value, str):
            size += len(value) + 2
            _check_string(value, where, "string", problems)
        else:
            size += 8
        if size > MAX_MANIFEST_BYTES:  # bounds the walk, even over a self-referencing object
            message = f"the schema is more than {MAX_MANIFEST_BYTES} bytes of JSON (the manifest limit)"
            problems.append(Problem(path, message))
            break
    if too_deep is not None:
        measured = f"{deepest}" if not stack else f"at least {deepest}"
        problems.append(
            Problem(
                too_deep,
                f"the schema nests {measured} levels deep; the limit is {MAX_SCHEMA_DEPTH} "
                "(each object property takes two: the schema and its properties map)",
            )
        )
    if problems or not isinstance(schema, dict):
        return problems
    expansion = expansion_problem(schema)
    return [Problem(path, expansion)] if expansion else []


def _check_string(text: str, where: str, what: str, problems: list[Problem]) -> None:
    if len(text) > MAX_SCHEMA_STRING_CHARS:
        problems.append(
            Problem(where, f"{what} of {len(text)} characters; the limit is {MAX_SCHEMA_STRING_CHARS}")
        )
    elif not _unicode_ok(text):
        problems.append(Problem(where, f"{what} is not valid Unicode text (a lone UTF-16 surrogate)"))


def content_key(*parts: str) -> str:
    """SHA-256 (hex) of ``parts``: the key of a content cache (never the content itself)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


V = TypeVar("V")


class ContentCache(Generic[V]):
    """A small thread-safe LRU map from content hashes to results (``maxsize`` entries at most)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
