"""Delayed re-checks of held changes: a message on the registrar's queue, delivered after a delay.

When the registrar holds a change for the grace window (``registrar.plan``), it asks to look at the
function again when the window is over: an SQS message with ``DelaySeconds`` on the queue that feeds
the registrar (``SFA_REGISTRAR_RECHECK_QUEUE_URL``; the CDK app and local mode both create it). The
message is an EventBridge-shaped event, so the registrar's handler treats it like any trigger — a
re-read of the function, never trusting the message's content. Lost or duplicated messages are
harmless: every sync is idempotent, a held change is decided once (the binding records the verdict),
and the reconciler decides held changes whose re-check never came.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Protocol

from control_plane.aws import call, client_or_default

__all__ = [
    "RECHECK_DETAIL_TYPE",
    "RECHECK_SOURCE",
    "RECHECK_TRIGGER",
    "RecheckScheduler",
    "SqsRecheckScheduler",
    "recheck_event",
    "recheck_function_name",
]

RECHECK_SOURCE = "sfn-agents.registrar"
RECHECK_DETAIL_TYPE = "RegistrarRecheck"
RECHECK_TRIGGER = "recheck"
_MAX_DELAY = 900  # SQS's limit for DelaySeconds


class RecheckScheduler(Protocol):
    def schedule(self, function_name: str, delay_seconds: float) -> None: ...


def recheck_event(function_name: str) -> dict[str, Any]:
    return {
        "version": "0",
        "source": RECHECK_SOURCE,
        "detail-type": RECHECK_DETAIL_TYPE,
        "detail": {"function_name": function_name},
    }


def recheck_function_name(event: Mapping[str, Any]) -> str | None:
    """The function a re-check event names, or None if ``event`` is not one."""
    if event.get("source") != RECHECK_SOURCE or event.get("detail-type") != RECHECK_DETAIL_TYPE:
        return None
    detail = event.get("detail")
    name = detail.get("function_name") if isinstance(detail, Mapping) else None
    return name if isinstance(name, str) and name else None


class SqsRecheckScheduler:
    """Sends re-check events to an SQS queue with a delay (client injected, created lazily)."""

    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    @property
    def client(self) -> Any:
        self._client = client_or_default("sqs", self._client)
        return self._client

    def schedule(self, function_name: str, delay_seconds: float) -> None:
        # One second late rather than early: a re-check before the window ends decides nothing.
        delay = min(_MAX_DELAY, max(0, math.ceil(delay_seconds) + 1))
        call(
            self.client.send_message,
            QueueUrl=self.queue_url,
            MessageBody=json.dumps(recheck_event(function_name)),
            DelaySeconds=delay,
        )
