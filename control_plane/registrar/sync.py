"""``Registrar``: re-read a function, plan against the registry, write conditionally, publish.

The same :meth:`Registrar.sync` serves CloudTrail-triggered events and the reconciler, so both
repair drift the same way. A plan whose conditional writes lose against a concurrent writer is
re-planned from fresh reads (bounded attempts, jittered backoff).
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from control_plane.aws import client_or_default
from control_plane.config import ControlPlaneConfig
from control_plane.errors import ConcurrentModificationError, ConditionFailedError, ReleaseRaceError
from control_plane.events.publisher import EventBridgePublisher, Publisher
from control_plane.registrar.observe import Observation, interpret, read_function, read_versions
from control_plane.registrar.plan import Outcome, Plan, RegistryState, plan_sync
from control_plane.registrar.publish import publish_version
from control_plane.registrar.recheck import RecheckScheduler, SqsRecheckScheduler
from control_plane.registrar.transitions import Cause
from control_plane.registry.keys import BINDING_SK, function_pk
from control_plane.registry.store import ToolRegistry

__all__ = ["Registrar", "SyncResult", "iso_now", "register_gateway_schema_checkers"]


def iso_now() -> str:
    """UTC now as fixed-width ISO 8601 with microseconds (sorts as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class SyncResult:
    """What one sync did; ``timings_ms`` splits its cost by phase (last attempt)."""

    function_name: str
    outcome: Outcome
    tool_name: str | None = None
    version: str | None = None
    events: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    attempts: int = 1
    writes: int = 0
    lambda_version: str | None = None
    recheck_in: float | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "function_name": self.function_name,
            "outcome": self.outcome,
            "tool_name": self.tool_name,
            "version": self.version,
            "events": list(self.events),
            "reasons": list(self.reasons),
            "attempts": self.attempts,
            "writes": self.writes,
            "lambda_version": self.lambda_version,
            "recheck_in": self.recheck_in,
        }


def register_gateway_schema_checkers() -> bool:
    """Plug the LLM gateway's schema translators into the manifest's portability hook.

    Entry points (``sfn_agents.schema_checkers``) need installed package metadata, which a Lambda
    bundle of source folders may lack; registering explicitly makes the registrar reject tools no
    provider accepts in every packaging (docs/design.md §10 allows this one import of llm_gateway).
    """
    try:
        from llm_gateway.schemas import register_checkers
    except ImportError:
        return False
    register_checkers()
    return True


class Registrar:
    """Registers what is true now about Lambda functions (clients injected, created lazily)."""

    def __init__(
        self,
        config: ControlPlaneConfig | None = None,
        *,
        registry: ToolRegistry | None = None,
        lambda_client: Any | None = None,
        dynamodb_client: Any | None = None,
        events_client: Any | None = None,
        publisher: Publisher | None = None,
        recheck: RecheckScheduler | None = None,
        clock: Callable[[], str] = iso_now,
        max_attempts: int = 6,
        sleep: Callable[[float], None] = time.sleep,
        logger: logging.Logger | Any | None = None,
    ) -> None:
        self.config = config or ControlPlaneConfig.from_env()
        register_gateway_schema_checkers()
        self.registry = registry or ToolRegistry(self.config.tool_table, dynamodb_client)
        self._lambda = lambda_client
        self.publisher = publisher or EventBridgePublisher(self.config.bus_name, events_client)
        if recheck is None and self.config.recheck_queue_url:
            recheck = SqsRecheckScheduler(self.config.recheck_queue_url)
        self.recheck = recheck
        self._clock = clock
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._log = logger or logging.getLogger(__name__)

    @property
    def lambda_client(self) -> Any:
        self._lambda = client_or_default("lambda", self._lambda)
        return self._lambda

    def sync(
        self,
        function_name: str,
        *,
        trigger: str | None = None,
        event_id: str | None = None,
        actor: str | None = None,
    ) -> SyncResult:
        """Make the registry reflect ``function_name`` as it is now; publish what changed."""
        cause = Cause(trigger=trigger, event_id=event_id, actor=actor)
        for attempt in range(1, self._max_attempts + 1):
            timings: dict[str, float] = {}
            started = time.perf_counter()
            observed_at = self._clock()
            snapshot = read_function(self.lambda_client, function_name)
            timings["reread"] = _ms(started)
            mark = time.perf_counter()
            obs = interpret(snapshot, self.config, observed_at)
            timings["validate"] = _ms(mark)
            mark = time.perf_counter()
            state = self._load_state(function_name, obs.manifest.name if obs.manifest else None)
            owner_alive = self._owner_alive(obs, state)
            timings["registry_read"] = _ms(mark)
            if snapshot.exists and state.binding is not None:
                # A recreated function reuses version numbers: check the registered ones still run
                # the registered code (one call; see plan_sync's "version_deleted").
                mark = time.perf_counter()
                obs = replace(obs, versions=read_versions(self.lambda_client, function_name))
                timings["versions"] = _ms(mark)
            mark = time.perf_counter()
            try:
                plan, obs = self._plan(obs, state, owner_alive, cause, timings)
            except ReleaseRaceError as exc:
                self._retry_later(
                    "function changed while publishing its version", function_name, attempt, exc
                )
                continue
            timings["plan"] = _ms(mark) - timings.get("publish_version", 0.0)
            mark = time.perf_counter()
            try:
                self.registry.transact(plan.writes, token=_token(function_name, observed_at))
            except ConditionFailedError as exc:
                self._retry_later("registry changed under the plan", function_name, attempt, exc)
                continue
            timings["write"] = _ms(mark)
            mark = time.perf_counter()
            if plan.events:
                self.publisher.publish(plan.events)
            if plan.recheck_in is not None and self.recheck is not None:
                self.recheck.schedule(function_name, plan.recheck_in)
            timings["publish"] = _ms(mark)
            return _result(function_name, plan, obs, attempt, timings)
        raise ConcurrentModificationError(
            f"gave up syncing {function_name!r} after {self._max_attempts} conflicting attempts"
        )

    def _plan(
        self,
        obs: Observation,
        state: RegistryState,
        owner_alive: bool | None,
        cause: Cause,
        timings: dict[str, float],
    ) -> tuple[Plan, Observation]:
        """Plan; when the plan needs a published Lambda version, publish it and plan again."""
        kwargs: dict[str, Any] = {
            "owner_alive": owner_alive,
            "now": self._clock(),
            "cause": cause,
            "grace_seconds": self.config.release_grace_seconds,
        }
        plan = plan_sync(obs, state, **kwargs)
        if plan.outcome != "publish":
            return plan, obs
        mark = time.perf_counter()
        obs = replace(obs, published=publish_version(self.lambda_client, obs))
        timings["publish_version"] = _ms(mark)
        plan = plan_sync(obs, state, **kwargs)
        assert plan.outcome != "publish"
        return plan, obs

    def _retry_later(self, what: str, function_name: str, attempt: int, exc: Exception) -> None:
        self._log.info(
            f"{what}; re-reading",
            extra={"function_name": function_name, "attempt": attempt, "error": str(exc)[:300]},
        )
        self._sleep(random.uniform(0, min(0.02 * 2**attempt, 0.5)))

    def _load_state(self, function_name: str, tool_name: str | None) -> RegistryState:
        binding = self.registry.get_item(function_pk(function_name), BINDING_SK)
        tools = set((binding or {}).get("tools", [])) | ({tool_name} if tool_name else set())
        return RegistryState(binding, {t: self.registry.partition(t) for t in sorted(tools)})

    def _owner_alive(self, obs: Any, state: RegistryState) -> bool | None:
        if obs.manifest is None:
            return None
        owner = next(
            (i for i in state.partitions.get(obs.manifest.name, []) if i.get("version") == "owner"), None
        )
        if owner is None or owner["owner_function_name"] == obs.function_name:
            return None
        return read_function(self.lambda_client, owner["owner_function_name"]).exists


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1e3


def _result(
    function_name: str, plan: Plan, obs: Observation, attempt: int, timings: dict[str, float]
) -> SyncResult:
    reasons = tuple(
        f"{r.code}:{r.path}"
        for e in plan.events
        if e.DETAIL_TYPE == "ToolRejected"
        for r in e.reasons  # type: ignore[attr-defined]
    )
    return SyncResult(
        function_name=function_name,
        outcome=plan.outcome,
        tool_name=plan.tool_name,
        version=plan.version,
        events=tuple(e.DETAIL_TYPE for e in plan.events),
        reasons=reasons,
        attempts=attempt,
        writes=len(plan.writes),
        lambda_version=obs.published.version if obs.published else None,
        recheck_in=plan.recheck_in,
        timings_ms=timings,
    )


def _token(function_name: str, observed_at: str) -> str:
    return hashlib.sha256(f"{function_name}|{observed_at}".encode()).hexdigest()[:36]
