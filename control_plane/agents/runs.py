"""Running agents: start an execution on the ``live`` alias, follow it, read its timeline.

``timeline`` turns an execution history into entries a person can read — each LLM turn (tokens,
stop reason, duration), each tool call (input, result or error, duration) and each approval wait
(with its task token) — pairing task events through ``previousEventId`` so parallel tool calls of
a Map stay apart. ``RunResult.as_json`` is the execution output of docs/design.md §7 plus ``status``
(``completed``, ``token_budget_exceeded``, ``max_turns_exceeded``, ``failed``, ``timed_out``,
``aborted``), ``execution_status`` and ``execution_arn``. ``AgentRunner.trace``: a run's chain.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from control_plane.agents.errors import AgentError
from control_plane.agents.store import AgentRegistry
from control_plane.aws import call, client_or_default
from control_plane.errors import AwsResourceNotFoundError

__all__ = ["AgentNotDeployedError", "AgentRunner", "ChainLink", "RunResult", "TimelineEntry", "timeline"]

_TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
_ENDS = {"TaskSucceeded": "ok", "TaskFailed": "failed", "TaskTimedOut": "timed_out"}


class AgentNotDeployedError(AgentError):
    """Raised when an agent has no live version yet (never rendered, or only failed renders)."""


@dataclass(frozen=True)
class TimelineEntry:
    """One step of a run. ``kind``: ``llm``, ``tool``, ``approval``; ``outcome``: ``ok``, ``failed``,
    ``timed_out`` or ``waiting``; ``event_id``: the history event that completed it."""

    kind: str
    name: str
    outcome: str
    event_id: int
    duration_ms: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _loads(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text


def _ms(start: Any, end: Any) -> float | None:
    try:
        return round((end - start).total_seconds() * 1000, 1)
    except TypeError:
        return None


def timeline(history: list[dict[str, Any]]) -> list[TimelineEntry]:
    """Entries in the order they completed (waiting approvals last)."""
    by_id = {e["id"]: e for e in history}
    entries: list[TimelineEntry] = []
    completed: set[int] = set()
    turn = 0

    def scheduled_of(event: dict[str, Any]) -> dict[str, Any] | None:
        seen = event
        for _ in range(3):
            seen = by_id.get(seen.get("previousEventId", 0), {})
            if seen.get("type") == "TaskScheduled":
                return seen
        return None

    for event in history:
        outcome = _ENDS.get(event["type"])
        if outcome is None:
            continue
        scheduled = scheduled_of(event)
        if scheduled is None:
            continue
        completed.add(scheduled["id"])
        entered = by_id.get(scheduled.get("previousEventId", 0), {})
        state = (entered.get("stateEnteredEventDetails") or {}).get("name", "")
        state_input = _loads((entered.get("stateEnteredEventDetails") or {}).get("input")) or {}
        duration = _ms(scheduled.get("timestamp"), event.get("timestamp"))
        details = event.get(f"{event['type'][0].lower()}{event['type'][1:]}EventDetails") or {}
        if state == "CallLLM":
            turn += 1
            entries.append(_llm_entry(turn, outcome, event["id"], duration, details))
        elif state == "RequestApproval":
            entries.append(_approval_entry(scheduled, state_input, outcome, event["id"], duration, details))
        elif isinstance(state_input, dict) and "name" in state_input:
            detail: dict[str, Any] = {"input": state_input.get("input"), "tool_use_id": state_input.get("id")}
            if outcome == "ok":
                detail["result"] = (_loads(details.get("output")) or {}).get("Payload")
            else:
                detail.update(error=details.get("error"), cause=details.get("cause"))
            entries.append(
                TimelineEntry("tool", str(state_input["name"]), outcome, event["id"], duration, detail)
            )
    for event in history:  # approvals still waiting for a decision
        if event["type"] == "TaskScheduled" and event["id"] not in completed:
            entered = by_id.get(event.get("previousEventId", 0), {})
            if (entered.get("stateEnteredEventDetails") or {}).get("name") == "RequestApproval":
                state_input = _loads(entered["stateEnteredEventDetails"].get("input")) or {}
                entries.append(_approval_entry(event, state_input, "waiting", event["id"], None, {}))
    return entries


def _llm_entry(
    turn: int, outcome: str, event_id: int, duration: float | None, details: dict
) -> TimelineEntry:
    if outcome != "ok":
        detail = {"error": details.get("error"), "cause": details.get("cause")}
        return TimelineEntry("llm", f"turn {turn}", outcome, event_id, duration, detail)
    payload = (_loads(details.get("output")) or {}).get("Payload") or {}
    text = "".join(  # an offloaded text is a content reference: kept as its JSON text
        t if isinstance(t := b.get("text", ""), str) else json.dumps(t)
        for b in (payload.get("message") or {}).get("content", [])
        if b.get("type") == "text"
    )
    detail = {
        "stop_reason": payload.get("stop_reason"),
        "usage": payload.get("usage") or {},
        "tool_calls": [c.get("name") for c in payload.get("tool_calls") or []],
        "model": payload.get("model"),
        "provider": payload.get("provider"),
        "text": text,
    }
    return TimelineEntry("llm", f"turn {turn}", outcome, event_id, duration, detail)


def _approval_entry(
    scheduled: dict, state_input: Any, outcome: str, event_id: int, duration: float | None, details: dict
) -> TimelineEntry:
    params = _loads((scheduled.get("taskScheduledEventDetails") or {}).get("parameters")) or {}
    entry = ((params.get("Entries") or [{}])[0]) if isinstance(params, dict) else {}
    detail = _loads(entry.get("Detail")) or {}
    name = str(state_input.get("name") if isinstance(state_input, dict) else detail.get("tool", "?"))
    info = {"task_token": detail.get("task_token"), "input": detail.get("input")}
    if outcome == "ok":
        info["decision"] = _loads(details.get("output"))
    elif outcome != "waiting":
        info.update(error=details.get("error"), cause=details.get("cause"))
    return TimelineEntry("approval", name, outcome, event_id, duration, info)


@dataclass(frozen=True)
class ChainLink:
    """One execution of a conversation's chain: its own turns and tool calls, history size, child."""

    execution_arn: str
    status: str
    turns: int
    tool_calls: int
    history_events: int
    child_arn: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _child_arn(history: list[dict[str, Any]]) -> str | None:
    """The execution a ``states:startExecution`` task of ``history`` started (the chain's next)."""
    for event in history:
        details = event.get("taskScheduledEventDetails") or {}
        if details.get("resourceType") != "states" or not str(details.get("resource")).startswith("start"):
            continue
        params = _loads(details.get("parameters")) or {}
        parts, name = str(params.get("StateMachineArn", "")).split(":"), params.get("Name")
        if len(parts) >= 7 and parts[5] == "stateMachine" and name:
            return ":".join([*parts[:5], "execution", parts[6], str(name)])  # version/alias dropped
    return None


@dataclass
class RunResult:
    execution_arn: str
    execution_status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None
    history: list[dict[str, Any]] = field(repr=False, default_factory=list)

    @property
    def status(self) -> str:
        if self.output is not None and isinstance(self.output.get("status"), str):
            return self.output["status"]
        cause = _loads(self.cause)
        if isinstance(cause, dict) and isinstance(cause.get("status"), str):
            return cause["status"]
        return {"FAILED": "failed", "TIMED_OUT": "timed_out", "ABORTED": "aborted"}.get(
            self.execution_status, "running"
        )

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "answer": None,
            "messages": None,
            "usage": None,
            "turns": None,
            "tool_calls": None,
        }
        cause = _loads(self.cause)
        if self.output is not None:
            data.update(self.output)
        elif isinstance(cause, dict):
            data.update({k: v for k, v in cause.items() if k in data or k == "pending_tool_calls"})
        if self.output is None and self.error:
            data.update(error=self.error, cause=self.cause)
        data.update(
            status=self.status, execution_status=self.execution_status, execution_arn=self.execution_arn
        )
        return data


class AgentRunner:
    """Starts and follows agent executions (``stepfunctions`` client injected, created lazily)."""

    def __init__(self, registry: AgentRegistry, sfn: Any | None = None) -> None:
        self.registry = registry
        self._sfn = sfn

    @property
    def sfn(self) -> Any:
        self._sfn = client_or_default("stepfunctions", self._sfn)
        return self._sfn

    def start(self, agent: str, execution_input: dict[str, Any], *, name: str | None = None) -> str:
        record = self.registry.require(agent)
        if not record.alias_arn or not record.live_version_arn:
            why = f"; last error: {record.last_error.message}" if record.last_error else ""
            raise AgentNotDeployedError(
                f"agent {agent!r} has no live version yet (status {record.status}){why}"
            )
        response = call(
            self.sfn.start_execution,
            stateMachineArn=record.alias_arn,
            name=name or f"run-{uuid.uuid4().hex[:20]}",
            input=json.dumps(execution_input),
        )
        return response["executionArn"]

    def trace(self, execution_arn: str, *, max_links: int = 1000) -> list[ChainLink]:
        """``execution_arn`` and the child executions it continued in, parent first."""
        links: list[ChainLink] = []
        arn: str | None = execution_arn
        while arn and len(links) < max_links:
            try:
                status = call(self.sfn.describe_execution, executionArn=arn)["status"]
            except AwsResourceNotFoundError:  # a child being started: the chain ends here for now
                if links:
                    break
                raise
            history = self.history(arn)
            kinds, child = [e.kind for e in timeline(history)], _child_arn(history)
            links.append(ChainLink(arn, status, kinds.count("llm"), kinds.count("tool"), len(history), child))
            arn = child
        return links

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        params: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        while True:
            page = call(self.sfn.get_execution_history, **params)
            events += page["events"]
            if not page.get("nextToken"):
                return events
            params["nextToken"] = page["nextToken"]

    def follow(
        self,
        execution_arn: str,
        *,
        on_entry: Callable[[TimelineEntry], None] | None = None,
        poll_seconds: float = 0.25,
        timeout_seconds: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> RunResult:
        """Poll until the execution ends, calling ``on_entry`` once per new timeline entry."""
        deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
        seen: set[tuple[int, str]] = set()
        while True:
            described = call(self.sfn.describe_execution, executionArn=execution_arn)
            history = self.history(execution_arn)
            for entry in timeline(history):
                if (entry.event_id, entry.outcome) not in seen:
                    seen.add((entry.event_id, entry.outcome))
                    if on_entry:
                        on_entry(entry)
            status = described["status"]
            if status in _TERMINAL or (deadline is not None and time.monotonic() > deadline):
                output = _loads(described.get("output")) if described.get("output") else None
                return RunResult(
                    execution_arn, status, output, described.get("error"), described.get("cause"), history
                )
            sleep(poll_seconds)
