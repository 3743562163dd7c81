"""``sfa approve TOKEN`` / ``sfa deny TOKEN --reason …``: decide a tool call waiting for approval.

An agent run that calls a tool needing approval publishes ``ToolApprovalRequested`` (with the task
token; ``sfa agent run`` prints it) and waits. ``approve`` finds the request (in ``--execution``, or
in the running executions of the environment's agents), shows the whole input — a reference is
fetched and verified — and its sha256, asks for confirmation (``--yes`` skips it) and sends
``SendTaskSuccess`` with ``{"approved": true, "input_sha256": …, "by": …}``: the agent runs the tool
only if that digest is its input's (agent_templates/approval.py). ``deny`` sends ``SendTaskFailure``
(error ``ToolCallDenied``, cause: the reason and who denied), which the agent's LLM receives as a
denied tool result. ``by`` is the caller's AWS identity (``sts:GetCallerIdentity``), not a flag.
TOKEN ``-`` reads the token from stdin (then ``approve`` needs ``--yes``).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from sfa.output import fail, out

__all__ = ["DENIED_ERROR", "app", "approve", "deny"]

DENIED_ERROR = "ToolCallDenied"

app = typer.Typer(help="Approve or deny tool calls that wait for a human.", no_args_is_help=True)

TokenArgument = Annotated[str, typer.Argument(help="The task token ('-' reads it from stdin).")]
ExecutionOption = Annotated[
    str | None,
    typer.Option("--execution", help="The waiting execution's ARN (default: search running agent runs)."),
]
EnvOption = Annotated[str | None, typer.Option("--env", help="Environment (default: $SFA_ENV or dev).")]


def _token(token: str) -> str:
    value = sys.stdin.read() if token == "-" else token
    value = value.strip()
    if not value:
        fail("the task token is empty")
    return value


def _sfn() -> Any:
    from control_plane.aws import client_or_default

    return client_or_default("stepfunctions", None)


def _identity() -> str:
    """The caller's IAM principal ARN (recorded as the decider)."""
    from control_plane.aws import call
    from control_plane.errors import AwsError
    from sfa.context import aws_client

    try:
        return str(call(aws_client("sts").get_caller_identity)["Arn"])
    except AwsError as exc:
        fail(f"cannot establish who decides (sts:GetCallerIdentity): {exc}")


def _send(method_name: str, **params: Any) -> None:
    from control_plane.aws import call
    from control_plane.errors import AwsError

    try:
        call(getattr(_sfn(), method_name), **params)
    except AwsError as exc:
        if exc.code in ("InvalidToken", "TaskDoesNotExist", "TaskTimedOut"):
            fail(f"no tool call waits for this token ({exc.code}): it was decided, timed out or is invalid")
        fail(str(exc))


def _show(request: Any, value: Any, how: str) -> None:
    d = request.detail
    rows = [
        ("agent", d.get("agent_name")),
        ("tool", f"{d.get('tool_name')}@{d.get('tool_version')} (call {d.get('tool_use_id')})"),
        ("execution", request.execution_arn),
        ("expires", d.get("expires_at") or "-"),
        ("input", how),
        ("sha256", request.input_sha256 or "- (agent rendered before approvals named digests)"),
    ]
    out.print("A tool call waits for approval:")
    for key, text in rows:
        out.print(f"  {key:>9}  {text}")
    out.print(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


@app.command("approve")
def approve(
    token: TokenArgument,
    execution: ExecutionOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Approve without asking.")] = False,
    env: EnvOption = None,
) -> None:
    """Show the tool call waiting on TOKEN (its whole input and sha256) and approve it: the tool runs."""
    from sfa.approvals import RequestNotShown, find_request, shown_input
    from sfa.context import resolve_env

    if token == "-" and not yes:
        fail("a token read from stdin needs --yes (stdin cannot also answer the confirmation)")
    value, name = _token(token), resolve_env(env)
    request = find_request(_sfn(), value, name, execution)
    if request is None:
        where = execution or f"the running executions of {name}'s agents"
        fail(f"no approval request with this token in {where} (decided, timed out, or another --env?)")
    try:
        shown, how = shown_input(request, name)
    except RequestNotShown as exc:
        fail(f"not approved: {exc}; deny it, or fix the access and try again")
    _show(request, shown, how)
    if not yes and not typer.confirm("Approve this call?", default=False, err=True):
        fail("not approved (nothing sent)")
    who = _identity()
    decision: dict[str, Any] = {"approved": True, "by": who}
    if request.input_sha256:
        decision["input_sha256"] = request.input_sha256
    _send("send_task_success", taskToken=value, output=json.dumps(decision))
    out.print(f"approved by {who} (input sha256 {request.input_sha256 or '-'})")


@app.command("deny")
def deny(
    token: TokenArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why; the agent's LLM sees it.")],
) -> None:
    """Deny the tool call waiting on TOKEN: the LLM gets a denied tool result with the reason."""
    value = _token(token)
    who = _identity()
    cause = f"{reason.strip() or 'no reason given'} (denied by {who})"
    _send("send_task_failure", taskToken=value, error=DENIED_ERROR, cause=cause[:32_768])
    out.print(f"denied by {who}: {reason}")
