"""Publishing event details to the registry bus (PutEvents, source ``sfn-agents.registry``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from control_plane.aws import call, client_or_default
from control_plane.errors import EventPublishError
from control_plane.events.models import EVENT_SOURCE, RegistryEventDetail

__all__ = ["MAX_ENTRY_BYTES", "EventBridgePublisher", "Publisher", "put_events_entry"]

MAX_ENTRY_BYTES = 256 * 1024
_BATCH = 10  # PutEvents accepts at most 10 entries per call


class Publisher(Protocol):
    """Anything that can publish registry events (tests use an in-memory recorder)."""

    def publish(self, events: Sequence[RegistryEventDetail]) -> None: ...


def put_events_entry(detail: RegistryEventDetail, bus_name: str) -> dict[str, Any]:
    """The PutEvents entry of one detail."""
    return {
        "Source": EVENT_SOURCE,
        "DetailType": detail.DETAIL_TYPE,
        "Detail": json.dumps(detail.model_dump(mode="json"), separators=(",", ":"), sort_keys=True),
        "EventBusName": bus_name,
    }


class EventBridgePublisher:
    """PutEvents in batches of 10; entries that fail (FailedEntryCount) are retried, then raised.

    ``client`` is an ``events`` boto3 client (created lazily when ``None``).
    """

    def __init__(
        self,
        bus_name: str,
        client: Any | None = None,
        *,
        max_attempts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.bus_name = bus_name
        self._client = client
        self._max_attempts = max_attempts
        self._sleep = sleep

    @property
    def client(self) -> Any:
        self._client = client_or_default("events", self._client)
        return self._client

    def publish(self, events: Sequence[RegistryEventDetail]) -> None:
        entries = [put_events_entry(e, self.bus_name) for e in events]
        for entry in entries:
            size = len(entry["Detail"].encode()) + len(entry["DetailType"]) + len(entry["Source"])
            if size > MAX_ENTRY_BYTES:
                raise EventPublishError(
                    f"{entry['DetailType']} event is {size} bytes (PutEvents limit {MAX_ENTRY_BYTES})",
                    [(entry["DetailType"], "EntryTooLarge", f"{size} bytes")],
                )
        for start in range(0, len(entries), _BATCH):
            self._put_batch(entries[start : start + _BATCH])

    def _put_batch(self, batch: list[dict[str, Any]]) -> None:
        pending = batch
        failures: list[tuple[str, str, str]] = []
        for attempt in range(self._max_attempts):
            if attempt:
                self._sleep(min(0.1 * 2**attempt, 1.0))
            response = call(self.client.put_events, Entries=pending)
            if not response.get("FailedEntryCount"):
                return
            results = response.get("Entries", [])
            failed = [(e, r) for e, r in zip(pending, results, strict=False) if r.get("ErrorCode")]
            if not failed:  # a count without per-entry codes: treat every entry as failed
                failed = [(e, {"ErrorCode": "Unknown", "ErrorMessage": ""}) for e in pending]
            failures = [(e["DetailType"], r["ErrorCode"], r.get("ErrorMessage", "")) for e, r in failed]
            pending = [e for e, _ in failed]
        raise EventPublishError(
            f"PutEvents failed for {len(failures)} entr{'y' if len(failures) == 1 else 'ies'} on bus "
            f"{self.bus_name!r} after {self._max_attempts} attempts: "
            + "; ".join(f"{t}: {c} {m}".strip() for t, c, m in failures),
            failures,
        )
