"""``BatchGetItem`` done completely: 100 keys per call, unprocessed keys retried with backoff.

Shared by the tool registry and the agent registry (both keep items in their own tables).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from control_plane.aws import call
from control_plane.errors import AwsThrottledError
from control_plane.registry.codec import from_attribute_map, to_attribute_map

__all__ = ["batch_get_items"]

_MAX_KEYS = 100  # DynamoDB's BatchGetItem limit
_ATTEMPTS = 8


def batch_get_items(
    client: Any,
    table: str,
    keys: Sequence[dict[str, Any]],
    *,
    consistent: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """The items at ``keys`` (missing ones are simply absent), in no particular order."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(keys), _MAX_KEYS):
        request: dict[str, Any] = {
            table: {
                "Keys": [to_attribute_map(k) for k in keys[start : start + _MAX_KEYS]],
                "ConsistentRead": consistent,
            }
        }
        for attempt in range(_ATTEMPTS):
            response = call(client.batch_get_item, RequestItems=request)
            out += [from_attribute_map(i) for i in response.get("Responses", {}).get(table, [])]
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
            sleep(min(0.05 * 2**attempt, 1.0))
        if request:
            raise AwsThrottledError(
                f"BatchGetItem left keys unprocessed after {_ATTEMPTS} attempts",
                operation="batch_get_item",
                code="UnprocessedKeys",
                retryable=True,
            )
    return out
