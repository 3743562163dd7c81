"""The reconciler: one pass that repairs drift in both directions through ``Registrar.sync``.

Candidates are the union of (a) functions carrying the ``agent-tool:name`` tag, from the Resource
Groups Tagging API (which may also list deleted or formerly tagged functions — ``sync`` re-reads
each with GetFunction, so those resolve to "deleted"/"untagged"), and (b) functions the registry
believes exist (bindings not marked deleted, from the ``by-status`` index — no Scan). Every
candidate is synced once: the cost is linear in the number of tool functions, and a failure on one
function — any exception, an AWS error or a bug — does not stop the pass: it is reported in
``ReconcileReport.errors`` and the pass goes on to the next function.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from control_plane.aws import call, client_or_default
from control_plane.registrar.sync import Registrar, SyncResult
from control_plane.registrar.trigger import function_name_from_ref
from tool_sdk.tags import NAME_TAG

__all__ = ["RECONCILER_TRIGGER", "ReconcileReport", "Reconciler"]

RECONCILER_TRIGGER = "reconciler"


@dataclass
class ReconcileReport:
    """The outcome of one pass: per-outcome counts and the functions that failed."""

    tagged: int = 0
    known: int = 0
    checked: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    results: list[SyncResult] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def repaired(self) -> int:
        """Syncs that changed the registry (drift found)."""
        return sum(n for o, n in self.outcomes.items() if o not in ("noop", "stale", "rejected"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "tagged": self.tagged,
            "known": self.known,
            "checked": self.checked,
            "repaired": self.repaired,
            "outcomes": dict(sorted(self.outcomes.items())),
            "errors": [{"function_name": f, "error": e} for f, e in self.errors],
            "duration_ms": round(self.duration_ms, 1),
        }


class Reconciler:
    """``tagging_client`` is a ``resourcegroupstaggingapi`` client (created lazily when None)."""

    def __init__(self, registrar: Registrar, tagging_client: Any | None = None) -> None:
        self.registrar = registrar
        self._tagging = tagging_client

    @property
    def tagging_client(self) -> Any:
        self._tagging = client_or_default("resourcegroupstaggingapi", self._tagging)
        return self._tagging

    def tagged_function_names(self) -> Iterator[str]:
        """Names of functions tagged ``agent-tool:name`` (page by page)."""
        params: dict[str, Any] = {
            "ResourceTypeFilters": ["lambda:function"],
            "TagFilters": [{"Key": NAME_TAG}],
            "ResourcesPerPage": 100,
        }
        while True:
            page = call(self.tagging_client.get_resources, **params)
            for mapping in page.get("ResourceTagMappingList", []):
                name = function_name_from_ref(mapping.get("ResourceARN", ""))
                if name:
                    yield name
            token = page.get("PaginationToken")
            if not token:
                return
            params["PaginationToken"] = token

    def run(self) -> ReconcileReport:
        started = time.perf_counter()
        report = ReconcileReport()
        tagged = set(self.tagged_function_names())
        known = set(self.registrar.registry.live_function_names())
        report.tagged, report.known = len(tagged), len(known)
        for name in sorted(tagged | known):
            report.checked += 1
            try:
                result = self.registrar.sync(name, trigger=RECONCILER_TRIGGER)
            except Exception as exc:  # one function's failure, whatever it is, must not end the pass
                report.errors.append((name, f"{type(exc).__name__}: {str(exc)[:500]}"))
                continue
            report.outcomes[result.outcome] += 1
            report.results.append(result)
        report.duration_ms = (time.perf_counter() - started) * 1e3
        return report
