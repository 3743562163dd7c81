"""``sfa approve TOKEN`` / ``sfa deny TOKEN --reason …``: decide a tool call waiting for approval.

An agent run that calls a tool needing approval publishes ``ToolApprovalRequested`` (with the task
token; ``sfa agent run`` prints it) and waits. ``approve`` sends ``SendTaskSuccess`` with
``{"approved": true, "by": …}`` and the tool runs; ``deny`` sends ``SendTaskFailure`` (error
``ToolCallDenied``, cause: the reason and who denied), which the agent's LLM receives as a denied
tool result (agent_templates/README.md, "Human approval"). TOKEN ``-`` reads the token from stdin.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated, Any

import typer

from sfa.output import fail, out

__all__ = ["DENIED_ERROR", "app", "approve", "deny"]

DENIED_ERROR = "ToolCallDenied"

app = typer.Typer(help="Approve or deny tool calls that wait for a human.", no_args_is_help=True)

TokenArgument = Annotated[str, typer.Argument(help="The task token ('-' reads it from stdin).")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who decides (default: the OS user).")]


def _token(token: str) -> str:
    value = sys.stdin.read() if token == "-" else token
    value = value.strip()
    if not value:
        fail("the task token is empty")
    return value


def _send(method_name: str, **params: Any) -> None:
    from control_plane.aws import call, client_or_default
    from control_plane.errors import AwsError

    sfn = client_or_default("stepfunctions", None)
    try:
        call(getattr(sfn, method_name), **params)
    except AwsError as exc:
        if exc.code in ("InvalidToken", "TaskDoesNotExist", "TaskTimedOut"):
            fail(f"no tool call waits for this token ({exc.code}): it was decided, timed out or is invalid")
        fail(str(exc))


@app.command("approve")
def approve(token: TokenArgument, by: ByOption = None) -> None:
    """Approve the tool call waiting on TOKEN: the tool runs."""
    import json

    who = by or getpass.getuser()
    _send("send_task_success", taskToken=_token(token), output=json.dumps({"approved": True, "by": who}))
    out.print(f"approved by {who}", markup=False)


@app.command("deny")
def deny(
    token: TokenArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why; the agent's LLM sees it.")],
    by: ByOption = None,
) -> None:
    """Deny the tool call waiting on TOKEN: the LLM gets a denied tool result with the reason."""
    who = by or getpass.getuser()
    cause = f"{reason.strip() or 'no reason given'} (denied by {who})"
    _send("send_task_failure", taskToken=_token(token), error=DENIED_ERROR, cause=cause[:32_768])
    out.print(f"denied by {who}: {reason}", markup=False)
