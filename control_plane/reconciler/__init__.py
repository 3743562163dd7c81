"""The reconciler: a scheduled pass that makes "no change is lost" true despite best-effort events."""

from control_plane.reconciler.core import RECONCILER_TRIGGER, Reconciler, ReconcileReport

__all__ = ["RECONCILER_TRIGGER", "ReconcileReport", "Reconciler"]
