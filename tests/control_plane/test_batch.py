"""batch_get_items: chunks of 100 keys, unprocessed keys retried, a clear error when they persist."""

from __future__ import annotations

from typing import Any

import pytest

from control_plane.errors import AwsThrottledError
from control_plane.registry.batch import batch_get_items


class FakeDynamo:
    """Answers BatchGetItem, leaving the last key of each request unprocessed ``stubborn`` times."""

    def __init__(self, stubborn: int) -> None:
        self.stubborn = stubborn
        self.requests: list[int] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        ((table, body),) = RequestItems.items()
        keys = body["Keys"]
        self.requests.append(len(keys))
        if self.stubborn and len(keys) > 0:
            self.stubborn -= 1
            served, left = keys[:-1], keys[-1:]
        else:
            served, left = keys, []
        response: dict[str, Any] = {"Responses": {table: [dict(k, v={"S": "x"}) for k in served]}}
        if left:
            response["UnprocessedKeys"] = {table: {"Keys": left, "ConsistentRead": body["ConsistentRead"]}}
        return response


def test_chunks_of_one_hundred_and_unprocessed_keys_are_retried():
    fake = FakeDynamo(stubborn=2)
    sleeps: list[float] = []
    keys = [{"pk": f"k{i:03d}"} for i in range(250)]
    items = batch_get_items(fake, "t", keys, consistent=True, sleep=sleeps.append)
    assert sorted(i["pk"] for i in items) == [k["pk"] for k in keys]
    assert fake.requests[:3] == [100, 1, 1] and sum(fake.requests) == 252
    assert sleeps == [0.05, 0.1]


def test_keys_that_stay_unprocessed_raise_a_retryable_error():
    with pytest.raises(AwsThrottledError, match="unprocessed after 8 attempts") as info:
        batch_get_items(FakeDynamo(stubborn=99), "t", [{"pk": "a"}], sleep=lambda _: None)
    assert info.value.retryable
