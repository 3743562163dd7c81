"""Delivers recorded CloudTrail events to the registrar the way EventBridge would.

Path: recorder → ``PutEvents`` on the default bus (moto matches the registrar's real rule pattern) →
the rule's queue → this pump → ``Invoke`` of the registrar Lambda. Delivery is at least once: a
failed invocation leaves the message for redelivery (and after five receives, the dead-letter
queue). :class:`Chaos` adds what AWS may do — duplicates, reordering, drops — for tests.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Chaos", "CloudTrailPump", "PumpStats"]

log = logging.getLogger("local.cloudtrail")


@dataclass(frozen=True)
class Chaos:
    """Probabilities of delivering an event twice, late (after later events), or never."""

    duplicate: float = 0.0
    reorder: float = 0.0
    drop: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("duplicate", "reorder", "drop"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"chaos {name} must be a probability in [0, 1]")


@dataclass
class PumpStats:
    recorded: int = 0
    delivered: int = 0
    duplicated: int = 0
    reordered: int = 0
    dropped: int = 0
    failed: int = 0
    actions: dict[str, int] = field(default_factory=dict)


class CloudTrailPump:
    def __init__(
        self, aws: Any, queue_url: str, registrar_function: str, *, chaos: Chaos | None = None
    ) -> None:
        self._aws = aws
        self._queue_url = queue_url
        self._registrar = registrar_function
        self._chaos = chaos or Chaos()
        self._rng = random.Random(self._chaos.seed)
        self._recorded: queue.Queue[dict[str, Any]] = queue.Queue()
        self._held: list[dict[str, Any]] = []
        self._busy = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats = PumpStats()

    @property
    def chaos(self) -> Chaos:
        return self._chaos

    @chaos.setter
    def chaos(self, chaos: Chaos) -> None:
        """Change the fault profile while running (tests: e.g. lose every event from now on)."""
        self._chaos = chaos

    # -- the recorder's sink -------------------------------------------------------------------

    def record(self, event: dict[str, Any]) -> None:
        with self._lock:
            self.stats.recorded += 1
            action = event["detail"]["eventName"]
            self.stats.actions[action] = self.stats.actions.get(action, 0) + 1
        self._recorded.put(event)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self._events = self._aws.client("events")
        self._sqs = self._aws.client("sqs")
        self._lambda = self._aws.client("lambda")
        self._thread = threading.Thread(target=self._run, name="cloudtrail-pump", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def idle(self) -> bool:
        """No event recorded, queued, held back or being delivered."""
        with self._lock:
            if self._busy or self._held or not self._recorded.empty():
                return False
        # Delayed messages are the registrar's re-checks of held releases: not idle until decided.
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        attrs = self._sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=names)["Attributes"]
        return all(attrs.get(name, "0") == "0" for name in names)

    # -- the loop ------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self._publish_recorded() | self._deliver_queued()
            except Exception:
                log.exception("CloudTrail pump round failed")
                worked = False
            if not worked:
                time.sleep(0.02)

    def _publish_recorded(self) -> bool:
        batch: list[dict[str, Any]] = []
        with self._lock:
            while not self._recorded.empty() and len(batch) < 10:
                batch.append(self._recorded.get_nowait())
            self._busy += 1
        try:
            if batch:
                entries = [
                    {"Source": e["source"], "DetailType": e["detail-type"], "Detail": json.dumps(e["detail"])}
                    for e in batch
                ]
                result = self._events.put_events(Entries=entries)
                if result.get("FailedEntryCount"):
                    log.error("PutEvents rejected %s CloudTrail events", result["FailedEntryCount"])
        finally:
            with self._lock:
                self._busy -= 1
        return bool(batch)

    def _deliver_queued(self) -> bool:
        with self._lock:
            self._busy += 1
        try:
            messages = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            with self._lock:
                due: list[tuple[str, str | None]] = [(body, None) for body in self._held]
                self._held = []
            for message in messages:
                if self._rng.random() < self._chaos.reorder:
                    # Held back in memory and delivered after the next batch: a late event.
                    self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
                    with self._lock:
                        self._held.append(message["Body"])
                        self.stats.reordered += 1
                else:
                    due.append((message["Body"], message["ReceiptHandle"]))
            for body, receipt in due:
                self._deliver(body, receipt)
            return bool(messages or due)
        finally:
            with self._lock:
                self._busy -= 1

    def _deliver(self, body: str, receipt: str | None) -> None:
        if self._rng.random() < self._chaos.drop:
            self.stats.dropped += 1
            self._ack(receipt)
            return
        copies = 2 if self._rng.random() < self._chaos.duplicate else 1
        self.stats.duplicated += copies - 1
        ok = True
        for _ in range(copies):
            response = self._lambda.invoke(FunctionName=self._registrar, Payload=body.encode())
            payload = response["Payload"].read()
            if response.get("FunctionError"):
                ok = False
                self.stats.failed += 1
                log.warning("registrar failed (will be redelivered): %s", payload[:500])
        if ok:
            self.stats.delivered += 1
            self._ack(receipt)
        elif receipt is None:
            with self._lock:
                self._held.append(body)  # a held-back event is retried from memory

    def _ack(self, receipt: str | None) -> None:
        if receipt is not None:
            self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=receipt)
