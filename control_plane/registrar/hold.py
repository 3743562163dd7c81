"""Held changes: what a release in progress looks like, kept in the binding for the grace window.

See ``registrar.plan``'s docstring for which changes are held and how each is decided.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from control_plane.events.models import RejectionReason, ToolRejected
from control_plane.registrar.decision import Plan
from control_plane.registrar.observe import Observation
from control_plane.registrar.transitions import Cause
from control_plane.registry.store import Put

__all__ = ["Hold", "reason", "reject"]


class Hold:
    """A change held in the binding for the grace window (see the module docstring)."""

    def __init__(
        self, obs: Observation, binding: dict[str, Any] | None, now: str, grace: float, cause: Cause
    ) -> None:
        self.obs, self.binding, self.now, self.grace, self.cause = obs, binding, now, grace, cause

    def plan(self, kind: str, fingerprint: str) -> Plan | None:
        """The plan while held; None when a manifest-only release's window is over (register it)."""
        assert self.binding is not None
        held = self.binding.get("hold") or {}
        name = self.obs.manifest.name if self.obs.manifest else self.obs.claimed_name
        version = self.obs.manifest.version if self.obs.manifest else self.obs.claimed_version
        if self.grace <= 0:  # no grace window: decide at once, record nothing
            if kind == "manifest_only":
                return None
            return replace(self._decide(kind, name, version), writes=())
        if held.get("fingerprint") != f"{kind}:{fingerprint}":
            hold = {"kind": kind, "fingerprint": f"{kind}:{fingerprint}", "since": self.now}
            hold.update({k: v for k, v in (("tool_name", name), ("version", version)) if v})
            return Plan("held", (self._put(hold),), (), name, version, recheck_in=self.grace)
        if held.get("verdict") == "rejected":
            return Plan("noop", tool_name=name, version=version)
        remaining = self.grace - (_epoch(self.now) - _epoch(held["since"]))
        if remaining > 0:
            return Plan("held", (), (), name, version, recheck_in=remaining)
        if kind == "manifest_only":
            return None
        rejected = self._decide(kind, name, version)
        put = self._put({**held, "verdict": "rejected", "decided_at": self.now})
        return replace(rejected, writes=(put,))

    def _decide(self, kind: str, name: str | None, version: str | None) -> Plan:
        if kind == "unbumped":
            message = (
                f"{name}@{version} is registered with other code, configuration or manifest; the change "
                f"was not followed by a new version within {self.grace:g} s, so agents keep running "
                "the registered build: publish it under a new version"
            )
            reasons = [reason("changed_without_version_bump", "version", message)]
        else:
            reasons = list(self.obs.reasons)
        return reject(self.obs, reasons, self.now, self.cause)

    def _put(self, hold: dict[str, Any]) -> Put:
        assert self.binding is not None
        item = {k: v for k, v in self.binding.items() if k != "rev"}
        item.update(hold=hold, observed_at=self.obs.observed_at)
        return Put(item, self.binding["rev"])


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def reason(code: str, path: str, message: str) -> RejectionReason:
    return RejectionReason(code=code, path=path, message=message)  # type: ignore[arg-type]


def reject(obs: Observation, reasons: list[RejectionReason], now: str, cause: Cause) -> Plan:
    m = obs.manifest
    event = ToolRejected(
        occurred_at=now,
        function_name=obs.function_name,
        function_arn=obs.function_arn,
        tool_name=m.name if m else obs.claimed_name,
        version=m.version if m else obs.claimed_version,
        reasons=reasons,
        trigger=cause.trigger,
    )
    return Plan("rejected", events=(event,), tool_name=event.tool_name, version=event.version)
