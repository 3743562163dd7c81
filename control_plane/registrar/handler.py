"""The registrar Lambda: EventBridge (CloudTrail Lambda API call) event → ``Registrar.sync``.

It also takes the delayed re-checks of held changes (``registrar.recheck``), either directly (local
mode's pump) or as an SQS batch from the re-check queue (``Records``; failed records are reported in
``batchItemFailures`` so only they are retried). Thin on purpose: parse the trigger, call the core,
log and count the outcome. Invalid manifests are
outcomes (a ``ToolRejected`` event), never exceptions; only infrastructure failures (AWS errors,
lost races after retries, failed PutEvents) fail the invocation so that Lambda retries it.
Logs carry the function, tool, version, outcome, reason codes and timings — never tag values.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from control_plane.config import ControlPlaneConfig
from control_plane.errors import ControlPlaneError
from control_plane.registrar.recheck import RECHECK_TRIGGER, recheck_function_name
from control_plane.registrar.sync import Registrar, SyncResult
from control_plane.registrar.trigger import parse_trigger

__all__ = ["HANDLER", "get_registrar", "handle", "lambda_handler", "record_result"]

HANDLER = "control_plane.registrar.handler.lambda_handler"
SERVICE = "sfa-registrar"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="SfnAgents", service=SERVICE)
tracer = Tracer(service=SERVICE)

_registrar: Registrar | None = None


def get_registrar() -> Registrar:
    """The process's registrar, built on first use from the environment (clients created lazily)."""
    global _registrar
    if _registrar is None:
        _registrar = Registrar(ControlPlaneConfig.from_env(), logger=logger)
    return _registrar


def record_result(result: SyncResult, metrics_: Metrics = metrics, logger_: Logger = logger) -> None:
    """Count and log one sync's outcome (shared with the reconciler)."""
    metrics_.add_metric(name=f"Sync_{result.outcome}", unit=MetricUnit.Count, value=1)
    for name, value in result.timings_ms.items():
        metrics_.add_metric(name=f"SyncMs_{name}", unit=MetricUnit.Milliseconds, value=round(value, 3))
    if result.attempts > 1:
        metrics_.add_metric(name="SyncConflictRetries", unit=MetricUnit.Count, value=result.attempts - 1)
    # "function_name" is Powertools' key for the handler's own function: the synced one is "target".
    fields = result.as_dict()
    fields["target_function"] = fields.pop("function_name")
    logger_.info(
        f"sync {result.outcome}",
        extra={**fields, "timings_ms": {k: round(v, 3) for k, v in result.timings_ms.items()}},
    )


def handle(event: dict[str, Any], registrar: Registrar) -> dict[str, Any]:
    """Handle one EventBridge event, a re-check, or an SQS batch of them; returns a summary
    (``outcome`` "ignored" for other events)."""
    if isinstance(event.get("Records"), list):
        return _handle_batch(event["Records"], registrar)
    recheck = recheck_function_name(event)
    if recheck is not None:
        logger.append_keys(target_function=recheck, trigger=RECHECK_TRIGGER)
        result = registrar.sync(recheck, trigger=RECHECK_TRIGGER)
        record_result(result)
        return result.as_dict()
    trigger = parse_trigger(event)
    if trigger is None:
        metrics.add_metric(name="EventsIgnored", unit=MetricUnit.Count, value=1)
        detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
        logger.info("event ignored", extra={"event_name": detail.get("eventName"), "id": event.get("id")})
        return {"outcome": "ignored"}
    tracer.put_annotation("target_function", trigger.function_name)
    logger.append_keys(
        target_function=trigger.function_name, trigger=trigger.event_name, event_id=trigger.event_id
    )
    result = registrar.sync(
        trigger.function_name, trigger=trigger.event_name, event_id=trigger.event_id, actor=trigger.actor
    )
    tracer.put_annotation("outcome", result.outcome)
    record_result(result)
    return result.as_dict()


def _handle_batch(records: list[Any], registrar: Registrar) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    for record in records:
        message_id = str(record.get("messageId", "")) if isinstance(record, dict) else ""
        try:
            body = json.loads(record.get("body") or "{}")
            handle(body if isinstance(body, dict) and "Records" not in body else {}, registrar)
        except (ControlPlaneError, ValueError) as exc:
            logger.warning("re-check failed; it will be retried", extra={"error": str(exc)[:300]})
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, get_registrar())
