"""Delivery of DynamoDB stream records to event-source-mapped Lambdas (a small documented pump).

moto delivers stream records itself, but in a way that cannot serve this project: synchronously
inside the writer's PutItem (the writer waits for the consumer Lambda), and it *clears* the shard
after any answer — records are lost when the consumer fails, sequence numbers restart (so
``batchItemFailures`` identifiers and DynamoDB Streams readers see duplicates).

:class:`StreamPump` replaces that (``moto_patches`` routes ``StreamShard.add`` here): the shard keeps
every record (readable through ``dynamodbstreams`` as on AWS), and one background thread delivers
each mapping's records in order, in batches of the mapping's ``BatchSize``, through the local Lambda
runner. Like AWS: a function error retries the same batch (``MaximumRetryAttempts``, locally 3
when unset, with short backoffs); with ``ReportBatchItemFailures`` a partial failure resumes from
the first failed record; a batch that exhausts its retries is skipped with a warning (AWS would send
it to the on-failure destination) — the records stay in the stream. Disabled or deleted mappings
are skipped. :meth:`StreamPump.wait_idle` lets tests wait for delivery.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from typing import Any

from local.lambda_runner import LambdaRunner
from local.lambda_spec import FunctionSpec

__all__ = ["StreamPump"]

log = logging.getLogger("local.streams")
LOCAL_MAX_RETRIES = 3
RETRY_BACKOFF_SECONDS = 0.05


class StreamPump:
    """Delivers DynamoDB stream records to mapped functions, in order, off the writer's thread."""

    def __init__(self, runner: LambdaRunner) -> None:
        self._runner = runner
        self._cond = threading.Condition()
        self._shards: list[Any] = []  # moto StreamShard objects that received records
        self._cursors: dict[tuple[int, str], int] = {}  # (id(shard), mapping uuid) → next index
        self._attempts: dict[tuple[int, str], int] = {}
        self._busy = False
        self._stopped = False
        self._thread = threading.Thread(target=self._run, daemon=True, name="sfa-stream-pump")
        self._thread.start()

    def notify(self, shard: Any) -> None:
        """A record was appended to ``shard``: wake the pump."""
        with self._cond:
            if not any(s is shard for s in self._shards):
                self._shards.append(shard)
            self._init_cursors_locked(shard)  # now, so LATEST starts at this record
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every mapping has consumed every record; ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._busy or self._pending_locked():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def reset(self) -> None:
        """Forget all shards and cursors (moto's state was wiped)."""
        with self._cond:
            self._shards.clear()
            self._cursors.clear()
            self._attempts.clear()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    # -- the delivery thread ---------------------------------------------------------------------

    def _init_cursors_locked(self, shard: Any) -> None:
        for mapping in list(shard.table.lambda_event_source_mappings.values()):
            key = (id(shard), mapping.uuid)
            if key not in self._cursors:
                latest = mapping.starting_position == "LATEST"
                self._cursors[key] = max(len(shard.items) - 1, 0) if latest else 0

    def _pending_locked(self) -> list[tuple[Any, Any, int]]:
        work = []
        for shard in self._shards:
            self._init_cursors_locked(shard)
            for mapping in list(shard.table.lambda_event_source_mappings.values()):
                key = (id(shard), mapping.uuid)
                if self._cursors[key] < len(shard.items) and _is_active(mapping):
                    work.append((shard, mapping, self._cursors[key]))
        return work

    def _run(self) -> None:
        while True:
            with self._cond:
                work = self._pending_locked()
                while not work and not self._stopped:
                    self._busy = False
                    self._cond.notify_all()
                    self._cond.wait()
                    work = self._pending_locked()
                if self._stopped:
                    return
                self._busy = True
            for shard, mapping, start in work:
                try:
                    advance = self._deliver(shard, mapping, start)
                except Exception:  # never let one bad mapping stop every delivery
                    log.exception("stream delivery to %s failed", mapping.function_arn)
                    advance = 0
                key = (id(shard), mapping.uuid)
                with self._cond:
                    if key in self._cursors:
                        self._cursors[key] = start + advance

    def _deliver(self, shard: Any, mapping: Any, start: int) -> int:
        """Deliver one batch from ``start``; return how many records to advance."""
        from moto.awslambda.utils import get_backend

        batch = shard.items[start : start + (mapping.batch_size or 100)]
        function = get_backend(mapping.account_id, mapping.region)._lambdas.get_arn(mapping.function_arn)
        if function is None:
            return len(batch)  # the function is gone: AWS would disable the mapping
        event = {"Records": [_record(r, mapping) for r in batch]}
        result = self._runner.invoke(FunctionSpec.from_moto(function), event)
        key = (id(shard), mapping.uuid)
        if result.function_error is None:
            failed = _first_failure(result.payload, batch, mapping)
            if failed is None:
                self._attempts.pop(key, None)
                return len(batch)
            if failed > 0:
                self._attempts.pop(key, None)
                return failed
        attempts = self._attempts.get(key, 0) + 1
        limit = mapping.max_retry_attempts
        limit = LOCAL_MAX_RETRIES if limit is None or limit < 0 else limit
        if attempts > limit:
            log.warning(
                "dropping %d stream record(s) for %s after %d attempt(s): %s",
                len(batch),
                mapping.function_arn,
                attempts,
                result.payload[:500],
            )
            self._attempts.pop(key, None)
            return len(batch)
        self._attempts[key] = attempts
        time.sleep(RETRY_BACKOFF_SECONDS * 2 ** (attempts - 1))
        return 0


def _is_active(mapping: Any) -> bool:
    from moto.awslambda.utils import get_backend

    backend = get_backend(mapping.account_id, mapping.region)
    return bool(mapping.enabled) and mapping.uuid in backend._event_source_mappings


def _record(stream_record: Any, mapping: Any) -> dict[str, Any]:
    record = stream_record.to_json()
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record["eventVersion"],
        "eventSource": record["eventSource"],
        "awsRegion": mapping.region,
        "dynamodb": dynamodb,
        "eventSourceARN": mapping.event_source_arn,
    }


def _first_failure(payload: bytes, batch: list[Any], mapping: Any) -> int | None:
    """Index in ``batch`` of the first ``batchItemFailures`` record, or ``None`` if all succeeded."""
    if "ReportBatchItemFailures" not in (mapping.function_response_types or []):
        return None
    try:
        failures = json.loads(payload).get("batchItemFailures") or []
    except (ValueError, AttributeError):
        return None
    failed_ids = {str(f.get("itemIdentifier")) for f in failures if isinstance(f, dict)}
    for index, stream_record in enumerate(batch):
        if stream_record.to_json()["dynamodb"]["SequenceNumber"] in failed_ids:
            return index
    return None
