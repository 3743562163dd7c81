"""``Regenerator``: changes → affected agents → render → skip or roll out → record → event.

Every AWS client is injected (``None`` → created lazily). ``process`` handles one stream batch:
one ``BatchGetItem`` on the selector index finds the agents a tool change may affect, one more reads
them, and the registry reads of resolution are shared across the batch. Each agent is isolated: a
failure is recorded on that agent (``status: failed``, ``last_error``; the alias stays on the last
good version) and reported as an outcome, never raised, so the other agents of the batch proceed.

Whether a failure is retried follows the error hierarchy's ``retryable`` flag (``errors.is_retryable``):
throttling, 5xx, lost races and transport errors are (the handler reports the stream records, the
event source mapping retries them); access denied, invalid requests and bugs are not — they are
recorded on the agent (``last_error.retryable: false``) and published as ``AgentRegenerationFailed``
with ``retryable: false``, and the next spec or tool change tries again.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from agent_templates import AgentTemplateError
from control_plane.agents.errors import PolicyTooLargeError
from control_plane.agents.keys import tool_index_keys
from control_plane.agents.records import AgentRecord
from control_plane.agents.store import AgentRegistry, iso_now
from control_plane.aws import client_or_default
from control_plane.errors import ConditionFailedError, ControlPlaneError
from control_plane.events.models import RegistryEventDetail
from control_plane.events.publisher import EventBridgePublisher, Publisher
from control_plane.regenerator.changes import AgentChange, ToolChange, affected_agents
from control_plane.regenerator.config import RegeneratorConfig
from control_plane.regenerator.errors import is_retryable
from control_plane.regenerator.outcome import (
    AgentOutcome,
    deployment_values,
    failed_event,
    failure_values,
    regenerated_event,
    success_values,
)
from control_plane.regenerator.plan import Rendered, decide, render
from control_plane.regenerator.resolve import CandidateSource
from control_plane.regenerator.rollout import Progress, Rollout
from control_plane.registry.store import ToolRegistry

__all__ = ["Regenerator"]

_Fresh = Mapping[str, frozenset[str]]


class Regenerator:
    """Keeps agent state machines, aliases and roles in step with their specs and the registry."""

    def __init__(
        self,
        config: RegeneratorConfig,
        *,
        agents: AgentRegistry | None = None,
        tools: ToolRegistry | None = None,
        dynamodb: Any | None = None,
        sfn: Any | None = None,
        iam: Any | None = None,
        events: Any | None = None,
        publisher: Publisher | None = None,
        clock: Callable[[], str] = iso_now,
        epoch: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 3,
        logger: logging.Logger | Any | None = None,
    ) -> None:
        self.config = config
        self.agents = agents or AgentRegistry(config.base.agent_table, dynamodb)
        self.tools = tools or ToolRegistry(config.base.tool_table, dynamodb)
        self.publisher = publisher or EventBridgePublisher(config.base.bus_name, events)
        self._sfn, self._iam = sfn, iam
        self._clock, self._epoch, self._sleep = clock, epoch, sleep
        self._max_attempts = max_attempts
        self._rollout: Rollout | None = None
        self.log = logger or logging.getLogger("sfa.regenerator")

    @property
    def rollout(self) -> Rollout:
        if self._rollout is None:
            self._sfn = client_or_default("stepfunctions", self._sfn)
            self._iam = client_or_default("iam", self._iam)
            self._rollout = Rollout(self.config, self._sfn, self._iam, sleep=self._sleep)
        return self._rollout

    # -- entry points ---------------------------------------------------------------------------

    def process(
        self, tool_changes: Iterable[ToolChange], agent_changes: Iterable[AgentChange] = ()
    ) -> list[AgentOutcome]:
        """Regenerate every agent the changes may affect (each at most once)."""
        tool_changes, agent_changes = list(tool_changes), list(agent_changes)
        triggers: dict[str, set[str]] = {}
        if tool_changes:
            keys = {k for c in tool_changes for k in tool_index_keys(c.tool_name, c.labels)}
            triggers = affected_agents(tool_changes, self.agents.lookup(sorted(keys)))
        for change in agent_changes:
            triggers.setdefault(change.agent_name, set())
        if not triggers:
            return []
        records = self.agents.batch(triggers)
        source = CandidateSource(self.tools)
        fresh = {c.tool_name: c.labels for c in tool_changes}
        return [
            self._regenerate(name, records.get(name), tuple(sorted(triggers[name])), source, fresh)
            for name in sorted(triggers)
        ]

    def regenerate(self, name: str, *, triggers: tuple[str, ...] = ()) -> AgentOutcome:
        """Converge one agent now (``sfa agent apply --sync``, retries, tests)."""
        return self._regenerate(name, self.agents.get(name), triggers, CandidateSource(self.tools), {})

    # -- one agent ------------------------------------------------------------------------------

    def _regenerate(
        self,
        name: str,
        record: AgentRecord | None,
        triggers: tuple[str, ...],
        source: CandidateSource,
        fresh: _Fresh,
    ) -> AgentOutcome:
        try:
            for attempt in range(self._max_attempts):
                if attempt:  # lost the lease race: re-plan from fresh reads (never the batch cache)
                    self._sleep(0.1 * 2**attempt)
                    record, source = self.agents.get(name), CandidateSource(self.tools)
                if record is None:
                    return AgentOutcome(name, "missing", triggers=triggers)
                if record.desired == "deleted":
                    outcome = self._teardown(record, triggers)
                else:
                    outcome = self._converge(record, triggers, source, fresh)
                if outcome is not None:
                    return outcome
            return AgentOutcome(
                name,
                "failed",
                step="lease",
                error="agent is busy or changing",
                retryable=True,
                triggers=triggers,
            )
        except Exception as exc:  # reads or the outcome write failed: nothing to record, retry the record
            self.log.exception("regeneration of %s failed", name)
            error = f"{type(exc).__name__}: {exc}"
            return AgentOutcome(name, "failed", step="read", error=error, retryable=True, triggers=triggers)

    def _converge(
        self, record: AgentRecord, triggers: tuple[str, ...], source: CandidateSource, fresh: _Fresh
    ) -> AgentOutcome | None:
        name = record.agent_name
        try:
            spec = record.agent_spec()
            rendered = render(spec, source.candidates(spec, fresh), self.config)
        except (AgentTemplateError, PolicyTooLargeError) as exc:
            return self._unrenderable(record, exc, triggers)
        except Exception as exc:
            if is_retryable(exc):
                raise  # a registry read failed for now: the record is retried
            self.log.exception("rendering %s failed", name)
            return self._unrenderable(record, exc, triggers)
        decision = decide(record, rendered)
        if decision == "skip":
            return AgentOutcome(name, "skipped", version_arn=record.live_version_arn, triggers=triggers)
        token = self._lease(record)
        if token is None:
            return None
        if decision == "record":
            self.agents.commit(
                name, token=token, values=success_values(record, rendered, None, self._clock())
            )
            return AgentOutcome(name, "recorded", version_arn=record.live_version_arn, triggers=triggers)
        return self._deploy(record, rendered, token, triggers)

    def _deploy(
        self, record: AgentRecord, rendered: Rendered, token: str, triggers: tuple[str, ...]
    ) -> AgentOutcome:
        name, p = record.agent_name, Progress.from_record(record)
        try:
            self.rollout.deploy(record, rendered, p)
        except Exception as exc:
            retryable = is_retryable(exc)
            now = self._clock()
            values = failure_values(p, exc, step=p.step, retryable=retryable, now=now, sha256=rendered.sha256)
            values["attempted_generation"] = record.generation
            if p.alias_moved:
                values["resolved_tools"] = [t.model_dump() for t in rendered.tool_refs]
            self.log.warning("rollout of %s failed at %s: %s", name, p.step, exc)
            self.agents.commit(name, token=token, values=values)
            self._publish(failed_event(record, exc, retryable, triggers, now))
            error = f"{type(exc).__name__}: {exc}"
            return AgentOutcome(
                name, "failed", step=p.step, error=error, retryable=retryable, triggers=triggers
            )
        now = self._clock()
        self.agents.commit(name, token=token, values=success_values(record, rendered, p, now))
        self._publish(regenerated_event(record, rendered, p, triggers, now))
        previous = p.previous_version_arn if p.alias_moved else None
        # After the commit: a slow prune (a long backlog) must not hold the lease or, if the Lambda
        # times out, lose the record of a rollout that succeeded.
        self.rollout.prune(p)
        if p.prune_error:
            self.log.warning("pruning old versions of %s failed: %s", name, p.prune_error)
        return AgentOutcome(
            name,
            "deployed",
            p.live_version_arn,
            previous,
            triggers=triggers,
            pruned=p.pruned,
            prune_error=p.prune_error,
        )

    def _unrenderable(
        self, record: AgentRecord, exc: Exception, triggers: tuple[str, ...]
    ) -> AgentOutcome | None:
        name, message = record.agent_name, str(exc)[:2000]
        outcome = AgentOutcome(
            name, "failed", step="render", error=f"{type(exc).__name__}: {exc}", triggers=triggers
        )
        recorded = record.last_error is not None and record.last_error.message == message
        if record.status == "failed" and recorded and record.attempted_generation == record.generation:
            return outcome  # already recorded: no write, no event
        token = self._lease(record)
        if token is None:
            return None
        now = self._clock()
        values = failure_values(None, exc, step="render", retryable=False, now=now, sha256=None)
        values["attempted_generation"] = record.generation
        self.agents.commit(name, token=token, values=values)
        self._publish(failed_event(record, exc, False, triggers, now))
        return outcome

    def _teardown(self, record: AgentRecord, triggers: tuple[str, ...]) -> AgentOutcome | None:
        name = record.agent_name
        token = self._lease(record)
        if token is None:
            return None
        p = Progress.from_record(record)
        try:
            self.rollout.teardown(record, p)
        except Exception as exc:
            retryable, now = is_retryable(exc), self._clock()
            values = failure_values(p, exc, step=p.step, retryable=retryable, now=now, sha256=None)
            self.agents.commit(name, token=token, values={**values, "status": "deleting"})
            if not retryable:  # not retried: say so (a retryable failure is retried by the stream)
                self._publish(failed_event(record, exc, False, triggers, now))
            error = f"{type(exc).__name__}: {exc}"
            return AgentOutcome(
                name, "failed", step=p.step, error=error, retryable=retryable, triggers=triggers
            )
        try:
            self.agents.remove(name, token=token, generation=record.generation)
        except ConditionFailedError:  # applied again meanwhile: record the teardown, the new spec deploys
            self.agents.commit(name, token=token, values={**deployment_values(p), "status": "pending"})
        return AgentOutcome(name, "deleted", triggers=triggers)

    # -- helpers --------------------------------------------------------------------------------

    def _lease(self, record: AgentRecord) -> str | None:
        token = uuid.uuid4().hex
        try:
            self.agents.acquire(
                record.agent_name,
                token=token,
                now=int(self._epoch()),
                ttl_seconds=self.config.lease_seconds,
                generation=record.generation,
                definition_sha256=record.definition_sha256,
            )
        except ConditionFailedError:
            return None
        return token

    def _publish(self, event: RegistryEventDetail) -> None:
        try:
            self.publisher.publish([event])
        except ControlPlaneError as exc:  # the outcome is recorded on the agent item already
            self.log.warning("could not publish %s: %s", event.DETAIL_TYPE, exc)
