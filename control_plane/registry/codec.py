"""Plain Python values ↔ DynamoDB attribute values, with native types (maps/lists, never JSON text).

JSON numbers become DynamoDB numbers: floats go through ``Decimal(repr(x))`` on the way in, and come
back as ``int`` when integral, else ``float`` (DynamoDB normalizes ``1.0`` to ``1``; JSON Schema
treats them alike). :func:`storability_problems` reports what DynamoDB would refuse *before* a write,
so an unstorable manifest is rejected with a reason instead of failing the write.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from tool_sdk.errors import Problem

__all__ = [
    "MAX_ITEM_BYTES",
    "from_attribute_map",
    "item_size",
    "storability_problems",
    "to_attribute_map",
    "to_attribute_value",
]

# DynamoDB's item limit is 400 KB; the latest pointer mirrors a version item, so keep headroom.
MAX_ITEM_BYTES = 350 * 1024
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
    """Why DynamoDB could not store ``value`` (numbers out of range or precision), by field path."""
    problems: list[Problem] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            problems += storability_problems(sub, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            problems += storability_problems(sub, f"{path}.{index}" if path else str(index))
    elif isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return [Problem(path, f"{value!r} is not a finite number")]
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            # significant digits, without normalize() (which rounds to the context's 28 digits)
            digits = len("".join(map(str, number.as_tuple().digits)).strip("0") or "0")
        except InvalidOperation:
            return [Problem(path, f"{value!r} is not a storable number")]
        magnitude = abs(number)
        if digits > _MAX_DIGITS:
            problems.append(Problem(path, f"{value!r} has more than {_MAX_DIGITS} significant digits"))
        elif magnitude and not (_MIN_MAGNITUDE <= magnitude <= _MAX_MAGNITUDE):
            problems.append(Problem(path, f"{value!r} is outside DynamoDB's number range (1E-130..1E+126)"))
    return problems


def item_size(attributes: dict[str, dict[str, Any]]) -> int:
    """An upper estimate of a DynamoDB item's size in bytes (names + values, UTF-8)."""
    return sum(len(k.encode()) + _value_size(v) for k, v in attributes.items())


def _value_size(av: dict[str, Any]) -> int:
    ((kind, value),) = av.items()
    if kind == "S":
        return len(value.encode())
    if kind == "N":
        return len(value) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(v) for k, v in value.items())
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in value)
    if kind == "B":
        return len(value)
    return sum(len(str(x)) for x in value) + 3
