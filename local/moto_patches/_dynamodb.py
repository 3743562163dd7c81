"""DynamoDB: stream records kept for the asynchronous pump, and cheaper transaction backups."""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

from local.moto_patches._registry import original, patch, state
from local.streams import StreamPump

__all__ = ["apply"]

_tx = threading.local()


def apply() -> None:
    _patch_streams()
    _patch_transactions()


def _patch_streams() -> None:
    from moto.dynamodb.models.table import StreamRecord, StreamShard

    def add(shard: Any, old: Any, new: Any) -> None:
        # Quirk: moto invokes mapped Lambdas synchronously here and clears the shard after any
        # answer (records lost on failure, sequence numbers reused). Keep every record; the pump
        # delivers asynchronously (see local.streams).
        view_type = shard.table.stream_specification["StreamViewType"]
        event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        seq = len(shard.items) + shard.starting_sequence_number
        shard.items.append(StreamRecord(shard.table, view_type, event_name, old, new, seq))
        pump: StreamPump | None = state["pump"]
        if pump is not None and shard.table.lambda_event_source_mappings:
            pump.notify(shard)

    patch(StreamShard, "add", add)


def _patch_transactions() -> None:
    """Quirk: ``transact_write_items`` backs up each table with ``copy.deepcopy`` once *per item*
    (stream records included), so a 6-item transaction copied the table 6 times and writes slowed
    down as tables grew. All the copies are taken before any write, so one per table is the same
    backup: the shim below memoizes ``deepcopy`` by object for the duration of one transaction.
    """
    from moto.dynamodb import models

    def deepcopy(obj: Any, memo: Any = None) -> Any:
        cache = getattr(_tx, "cache", None)
        if cache is None or memo is not None:
            return copy.deepcopy(obj, memo)
        if id(obj) not in cache:
            cache[id(obj)] = copy.deepcopy(obj)
        return cache[id(obj)]

    moto_transact = original(models.DynamoDBBackend, "transact_write_items")

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        _tx.cache = {}
        try:
            return moto_transact(self, transact_items)
        finally:
            _tx.cache = None

    patch(models, "copy", types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy))
    patch(models.DynamoDBBackend, "transact_write_items", transact_write_items)
