"""Small builders of low-level DynamoDB requests for ``AgentRegistry`` (plain values in, AV maps out)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from control_plane.agents.keys import AGENTS_ATTR, PK
from control_plane.registry.batch import batch_get_items
from control_plane.registry.codec import to_attribute_map, to_attribute_value

__all__ = ["batch_get", "set_update", "update_expression"]


def update_expression(
    values: dict[str, Any], remove: tuple[str, ...] = (), if_not_exists: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``UpdateExpression`` + names/values that SET ``values`` (``None`` → REMOVE) and REMOVE ``remove``.

    Attributes in ``if_not_exists`` keep their current value when present (``created_at``).
    """
    names: dict[str, str] = {}
    av: dict[str, Any] = {}
    sets: list[str] = []
    removes: list[str] = []
    for index, (attr, value) in enumerate(sorted(values.items())):
        names[f"#a{index}"] = attr
        if value is None:
            removes.append(f"#a{index}")
        elif attr in if_not_exists:
            sets.append(f"#a{index} = if_not_exists(#a{index}, :v{index})")
            av[f":v{index}"] = to_attribute_value(value)
        else:
            sets.append(f"#a{index} = :v{index}")
            av[f":v{index}"] = to_attribute_value(value)
    for index, attr in enumerate(sorted(set(remove) - set(values))):
        names[f"#r{index}"] = attr
        removes.append(f"#r{index}")
    parts = []
    if sets:
        parts.append("SET " + ", ".join(sets))
    if removes:
        parts.append("REMOVE " + ", ".join(removes))
    out: dict[str, Any] = {"UpdateExpression": " ".join(parts), "ExpressionAttributeNames": names}
    if av:
        out["ExpressionAttributeValues"] = av
    return out


def set_update(table: str, key: str, element: str, *, add: bool) -> dict[str, Any]:
    """An ``Update`` (transaction item body) that ADDs/DELETEs ``element`` in the key's string set."""
    return {
        "TableName": table,
        "Key": to_attribute_map({PK: key}),
        "UpdateExpression": f"{'ADD' if add else 'DELETE'} #s :e",
        "ExpressionAttributeNames": {"#s": AGENTS_ATTR},
        "ExpressionAttributeValues": {":e": {"SS": [element]}},
    }


def batch_get(
    client: Any, table: str, keys: list[str], *, sleep: Callable[[float], None] = time.sleep
) -> list[dict[str, Any]]:
    """Strongly consistent ``BatchGetItem`` of the agent-registry items keyed ``keys``."""
    unique = [{PK: k} for k in sorted(set(keys))]
    return batch_get_items(client, table, unique, consistent=True, sleep=sleep)
