"""The reconciler Lambda (scheduled): one reconcile pass; fails the invocation if any function failed."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from control_plane.config import ControlPlaneConfig
from control_plane.errors import ControlPlaneError
from control_plane.reconciler.core import Reconciler
from control_plane.registrar.sync import Registrar

__all__ = ["HANDLER", "ReconcileIncompleteError", "get_reconciler", "lambda_handler", "run_pass"]

HANDLER = "control_plane.reconciler.handler.lambda_handler"
SERVICE = "sfa-reconciler"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="SfnAgents", service=SERVICE)
tracer = Tracer(service=SERVICE)

_reconciler: Reconciler | None = None


class ReconcileIncompleteError(ControlPlaneError):
    """Raised by the reconciler handler when some functions could not be synced in a pass."""

    retryable = True


def get_reconciler() -> Reconciler:
    global _reconciler
    if _reconciler is None:
        _reconciler = Reconciler(Registrar(ControlPlaneConfig.from_env(), logger=logger))
    return _reconciler


def run_pass(reconciler: Reconciler) -> dict[str, Any]:
    report = reconciler.run()
    metrics.add_metric(name="FunctionsChecked", unit=MetricUnit.Count, value=report.checked)
    metrics.add_metric(name="DriftRepaired", unit=MetricUnit.Count, value=report.repaired)
    metrics.add_metric(name="SyncErrors", unit=MetricUnit.Count, value=len(report.errors))
    summary = report.as_dict()
    logger.info("reconcile pass done", extra=summary)
    if report.errors:
        raise ReconcileIncompleteError(
            f"{len(report.errors)} of {report.checked} functions failed to sync: "
            + "; ".join(f"{f}: {e}" for f, e in report.errors[:5])
        )
    return summary


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return run_pass(get_reconciler())
