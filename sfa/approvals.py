"""Tool calls waiting for approval, as ``sfa approve`` finds and shows them.

The agent publishes ``ToolApprovalRequested`` and waits on a task token; the same request is in the
execution's history (the ``RequestApproval`` task's parameters), which is where the CLI reads it —
from the execution named with ``--execution``, else by searching the running executions of the
environment's agents. The input is shown whole: a reference is fetched from the platform's content
bucket and verified against its sha256, the digest the decision must name
(``agent_templates.approval``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["ApprovalRequest", "RequestNotShown", "find_request", "shown_input"]

_WAIT_RESOURCE = "putEvents.waitForTaskToken"


class RequestNotShown(Exception):
    """The request's input cannot be shown whole (so it is not approved)."""


@dataclass(frozen=True)
class ApprovalRequest:
    """A ``ToolApprovalRequested`` detail as the agent built it, and where it waits."""

    execution_arn: str
    detail: dict[str, Any]

    @property
    def input_sha256(self) -> str | None:
        digest = self.detail.get("input_sha256")
        return digest if isinstance(digest, str) else None


def _loads(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None


def _requests(history: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for event in history:
        details = event.get("taskScheduledEventDetails") or {}
        if event.get("type") != "TaskScheduled" or details.get("resource") != _WAIT_RESOURCE:
            continue
        params = _loads(details.get("parameters"))
        entries = params.get("Entries") if isinstance(params, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            detail = _loads(entry.get("Detail")) if isinstance(entry, dict) else None
            if isinstance(detail, dict):
                yield detail


def _running_agent_executions(sfn: Any, env: str) -> Iterator[str]:
    from control_plane.agents import AgentRegistry
    from control_plane.config import agent_registry_table_name
    from sfa.context import aws_client

    for record in AgentRegistry(agent_registry_table_name(env), aws_client("dynamodb")).list():
        if not record.state_machine_arn:
            continue
        pages = sfn.get_paginator("list_executions").paginate(
            stateMachineArn=record.state_machine_arn, statusFilter="RUNNING"
        )
        for page in pages:
            yield from (e["executionArn"] for e in page["executions"])


def _history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        events += page["events"]
    return events


def find_request(sfn: Any, token: str, env: str, execution_arn: str | None = None) -> ApprovalRequest | None:
    """The request still waiting on ``token`` (in ``execution_arn``, or in any running agent
    execution); None when there is none (decided, timed out, another environment)."""
    from control_plane.agents.runs import timeline

    candidates = [execution_arn] if execution_arn else _running_agent_executions(sfn, env)
    for arn in candidates:
        history = _history(sfn, arn)
        waiting = {e.detail.get("task_token") for e in timeline(history) if e.outcome == "waiting"}
        for detail in _requests(history):
            if detail.get("task_token") == token and token in waiting:
                return ApprovalRequest(arn, detail)
    return None


def shown_input(request: ApprovalRequest, env: str) -> tuple[Any, str]:
    """The input exactly as the tool would receive it (references resolved and verified) and how it
    was obtained; raises :class:`RequestNotShown` when that is impossible."""
    from sfa.content import contains_ref, resolve_content
    from tool_sdk.content import is_ref

    detail = request.detail
    ref = detail.get("input_ref")
    value = ref if is_ref(ref) else detail.get("input")
    if is_ref(ref) and ref.get("sha256") != request.input_sha256:
        raise RequestNotShown("the request's input_ref and input_sha256 disagree")
    if not contains_ref(value):
        return value, "inline"
    try:
        resolved = resolve_content(value, request.execution_arn, env)
    except Exception as exc:  # InvalidReference, ContentIntegrity, ContentNotFound, S3 access errors
        problem = f"{type(exc).__name__}: {exc}"
        if is_ref(value):  # the whole input is elsewhere: nothing meaningful to show
            raise RequestNotShown(f"cannot fetch the input's content: {problem}") from None
        return value, f"inline; it holds content references that could not be fetched ({problem})"
    if is_ref(value):
        how = f"by reference {value.get('$ref')} ({value.get('bytes')} bytes), fetched and verified"
    else:
        how = "inline, with content references fetched and verified"
    return resolved, how
