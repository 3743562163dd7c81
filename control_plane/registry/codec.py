"""Plain Python values ↔ DynamoDB attribute values, with native types (maps/lists, never JSON text).

JSON numbers become DynamoDB numbers: floats go through ``Decimal(repr(x))`` on the way in, and come
back as ``int`` when integral, else ``float`` (DynamoDB normalizes ``1.0`` to ``1``; JSON Schema
treats them alike). :func:`storability_problems` reports what DynamoDB would refuse *before* a write
(numbers out of range or precision, values nested deeper than DynamoDB's 32 levels), so an
unstorable manifest is rejected with a reason instead of failing every retry of the write (moto
enforces neither). The walks over values are iterative: no content can make them recurse.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from tool_sdk.errors import Problem

__all__ = [
    "MAX_ITEM_BYTES",
    "MAX_NESTING_LEVELS",
    "from_attribute_map",
    "item_size",
    "storability_problems",
    "to_attribute_map",
    "to_attribute_value",
]

# DynamoDB's item limit is 400 KB; the latest pointer mirrors a version item, so keep headroom.
MAX_ITEM_BYTES = 350 * 1024
# DynamoDB nests attribute values at most 32 levels deep, a top-level attribute being level 1: a
# map or list attribute may wrap at most 31 levels of maps/lists (tool_sdk.limits.MAX_SCHEMA_DEPTH
# keeps manifests well inside).
MAX_NESTING_LEVELS = 32
_MAX_DIGITS = 38
_MAX_MAGNITUDE = Decimal("9.9999999999999999999999999999999999999E+125")
_MIN_MAGNITUDE = Decimal("1E-130")
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, dict):
        return {str(k): _to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    if isinstance(value, set):
        return sorted(_from_dynamo(v) for v in value)
    return value


def to_attribute_value(value: Any) -> dict[str, Any]:
    return _serializer.serialize(_to_dynamo(value))


def to_attribute_map(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A plain item (``None`` values dropped) as a low-level DynamoDB attribute map."""
    return {k: to_attribute_value(v) for k, v in item.items() if v is not None}


def from_attribute_map(attributes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {k: _from_dynamo(_deserializer.deserialize(v)) for k, v in attributes.items()}


def storability_problems(value: Any, path: str = "") -> list[Problem]:
    """Why DynamoDB could not store ``value`` (numbers out of range or precision, nesting), by path.

    ``value`` is an item (or a part of one): its top-level entries are attributes, at level 1."""
    problems: list[Problem] = []
    too_deep: tuple[str, int] | None = None
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        node, where, level = stack.pop()
        if isinstance(node, dict | list):
            if level > MAX_NESTING_LEVELS - 1 and (too_deep is None or level > too_deep[1]):
                too_deep = (where, level)
            entries = node.items() if isinstance(node, dict) else enumerate(node)
            for key, sub in reversed(list(entries)):
                stack.append((sub, f"{where}.{key}" if where else str(key), level + 1))
        elif isinstance(node, float | int) and not isinstance(node, bool):
            problem = _number_problem(node)
            if problem:
                problems.append(Problem(where, problem))
    if too_deep is not None:
        where, level = too_deep
        problems.append(
            Problem(
                where.split(".")[0],
                f"nests {level + 1} levels deep as a DynamoDB attribute; DynamoDB's limit is "
                f"{MAX_NESTING_LEVELS}",
            )
        )
    return problems


def _number_problem(value: float | int) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        # significant digits, without normalize() (which rounds to the context's 28 digits)
        digits = len("".join(map(str, number.as_tuple().digits)).strip("0") or "0")
    except (InvalidOperation, ValueError):
        return f"{value!r} is not a storable number"
    magnitude = abs(number)
    if digits > _MAX_DIGITS:
        return f"{value!r} has more than {_MAX_DIGITS} significant digits"
    if magnitude and not (_MIN_MAGNITUDE <= magnitude <= _MAX_MAGNITUDE):
        return f"{value!r} is outside DynamoDB's number range (1E-130..1E+126)"
    return None


def item_size(attributes: dict[str, dict[str, Any]]) -> int:
    """An upper estimate of a DynamoDB item's size in bytes (names + values, UTF-8)."""
    total = 0
    stack: list[dict[str, Any]] = []
    for name, av in attributes.items():
        total += len(name.encode())
        stack.append(av)
    while stack:
        ((kind, value),) = stack.pop().items()
        if kind == "S":
            total += len(value.encode())
        elif kind == "N":
            total += len(value) // 2 + 2
        elif kind in ("BOOL", "NULL"):
            total += 1
        elif kind == "M":
            total += 3 + sum(len(k.encode()) + 1 for k in value)
            stack.extend(value.values())
        elif kind == "L":
            total += 3 + len(value)
            stack.extend(value)
        elif kind == "B":
            total += len(value)
        else:
            total += sum(len(str(x)) for x in value) + 3
    return total
