"""What one sync decided: the :class:`Plan` (writes, events, outcome) and its :data:`Outcome`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from control_plane.events.models import RegistryEventDetail
from control_plane.registry.store import Write

__all__ = ["Outcome", "Plan"]

Outcome = Literal[
    "registered", "updated", "deregistered", "repaired", "rejected", "noop", "stale", "held", "publish"
]


@dataclass(frozen=True)
class Plan:
    """``publish``: publish a Lambda version first, then plan again. ``recheck_in``: seconds after
    which a held change must be looked at again."""

    outcome: Outcome
    writes: tuple[Write, ...] = ()
    events: tuple[RegistryEventDetail, ...] = ()
    tool_name: str | None = None
    version: str | None = None
    recheck_in: float | None = None
