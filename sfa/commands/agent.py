"""``sfa agent apply|delete|list|show|run|trace``: agents in ``AgentRegistry-{env}`` and their runs.

AWS access uses boto3's default resolution (``AWS_ENDPOINT_URL`` points it at local mode); the
environment is ``--env`` or ``SFA_ENV`` (default ``dev``). ``apply``/``delete`` write the spec and, by
default, wait for the deployed regenerator to handle it; ``--sync`` regenerates in this process
instead (local mode without stream pumps, tests, or a one-off repair). Read commands take ``--json``
and then print only JSON. Exit codes: 0 ok; 1 error (invalid spec, failed render or run); 2 a run
that stopped early (``token_budget_exceeded``, ``max_turns_exceeded``); 3 a wait that timed out.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from sfa.commands.agent_output import print_entry, print_result, print_show
from sfa.output import err, fail, out, print_json

__all__ = ["app"]

app = typer.Typer(help="Apply, inspect, run and delete agents.", no_args_is_help=True)

EnvOption = Annotated[str | None, typer.Option("--env", help="Environment (default: $SFA_ENV or dev).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print only JSON.")]
SyncOption = Annotated[
    bool, typer.Option("--sync", help="Regenerate in this process (no deployed regenerator).")
]
WaitOption = Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the regenerator to handle it.")]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="Seconds to wait.")]


def _environ(env: str | None) -> dict[str, str]:
    return {**os.environ, "SFA_ENV": env} if env else dict(os.environ)


def _registry(env: str | None) -> Any:
    from control_plane.agents import AgentRegistry
    from control_plane.config import ControlPlaneConfig

    return AgentRegistry.from_config(ControlPlaneConfig.from_env(_environ(env)))


def _regenerate(env: str | None, name: str) -> Any:
    """Regenerate in-process with the deployed regenerator's settings (explicit variables win)."""
    from control_plane.regenerator import Regenerator, RegeneratorConfig
    from control_plane.regenerator.config import deployed_settings

    environ = _environ(env)
    environ = {**deployed_settings(environ.get("SFA_ENV") or "dev"), **environ}
    return Regenerator(RegeneratorConfig.from_env(environ)).regenerate(name)


def _wait(registry: Any, name: str, timeout: float, *, deleting: bool = False) -> Any:
    from control_plane.agents.errors import AgentWaitTimeoutError

    try:
        return registry.wait(name, timeout=timeout, deleted=deleting)
    except AgentWaitTimeoutError as exc:
        fail(f"{exc} (or use --sync)", code=3)


def _report(record: Any, as_json: bool) -> None:
    if as_json:
        print_json(record.summary())
    elif record.status == "ready":
        tools = ", ".join(t.ref for t in record.resolved_tools) or "no tools"
        out.print(f"ok: {record.name} live version {record.live_version} ({tools})", markup=False)
        for warning in record.warnings:
            out.print(f"  warning: {warning}", markup=False)
    if record.status == "failed":
        error = record.last_error
        fail(f"agent {record.name!r} failed at {error.step}: {error.message}" if error else "failed")


@app.command("apply")
def apply(
    spec_file: Annotated[Path, typer.Argument(help="Agent spec (.yaml, .yml or .json).")],
    env: EnvOption = None,
    force: Annotated[bool, typer.Option("--force", help="Write (and re-render) even if unchanged.")] = False,
    sync: SyncOption = False,
    wait: WaitOption = True,
    timeout: TimeoutOption = 60.0,
    as_json: JsonOption = False,
) -> None:
    """Validate SPEC_FILE, write it to the agent registry and wait until it is live."""
    from agent_templates import AgentSpecLoadError, AgentSpecValidationError, load_agent_spec
    from control_plane.errors import ControlPlaneError

    try:
        spec = load_agent_spec(spec_file)
    except AgentSpecLoadError as exc:
        fail(str(exc))
    except AgentSpecValidationError as exc:
        fail(f"{spec_file}: {len(exc.problems)} problem(s)", [str(p) for p in exc.problems])
    registry = _registry(env)
    try:
        result = registry.apply(spec, force=force)
        if sync:
            _regenerate(env, spec.name)
    except ControlPlaneError as exc:
        fail(str(exc))
    if not result.changed and not sync:
        if not as_json:
            err.print(f"{spec.name}: unchanged (generation {result.record.generation})", markup=False)
        _report(result.record, as_json)
        return
    if sync or wait:
        _report(registry.get(spec.name) if sync else _wait(registry, spec.name, timeout), as_json)
    elif as_json:
        print_json(result.record.summary())
    else:
        out.print(f"applied {spec.name} (generation {result.record.generation})", markup=False)


@app.command("delete")
def delete(
    name: Annotated[str, typer.Argument(help="Agent name.")],
    env: EnvOption = None,
    sync: SyncOption = False,
    wait: WaitOption = True,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Delete an agent: its state machine, live alias and role go with it."""
    from control_plane.errors import ControlPlaneError

    registry = _registry(env)
    try:
        registry.delete(name)
        if sync:
            outcome = _regenerate(env, name)
            if outcome.action == "failed":
                fail(f"deleting {name!r} failed at {outcome.step}: {outcome.error}")
    except ControlPlaneError as exc:
        fail(str(exc))
    if wait and not sync:
        _wait(registry, name, timeout, deleting=True)
    out.print(f"deleted {name}" if (sync or wait) else f"deleting {name}", markup=False)


@app.command("list")
def list_agents(env: EnvOption = None, as_json: JsonOption = False) -> None:
    """List agents with their status, live version and tools."""
    from rich.table import Table

    records = _registry(env).list()
    if as_json:
        print_json([r.summary() for r in records])
        return
    table = Table("agent", "status", "live", "tools", "model", "updated")
    for r in records:
        live = f"v{r.live_version}" if r.live_version else "-"
        table.add_row(
            r.name, r.status, live, str(len(r.resolved_tools)), str(r.spec.get("model")), r.updated_at
        )
    out.print(table)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Agent name.")],
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show an agent's spec, resolved tools, live version and last error."""
    from control_plane.agents import AgentNotFoundError

    try:
        record = _registry(env).require(name)
    except AgentNotFoundError as exc:
        fail(str(exc))
    if as_json:
        print_json({**record.summary(), "spec": record.spec})
        return
    print_show(record)


@app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="Agent name.")],
    prompt: Annotated[str | None, typer.Argument(help="The prompt (or use --messages).")] = None,
    messages: Annotated[
        Path | None, typer.Option("--messages", help="JSON file with a messages list.")
    ] = None,
    env: EnvOption = None,
    timeout: TimeoutOption = 900.0,
    as_json: JsonOption = False,
) -> None:
    """Start NAME on its live alias, follow it (tool calls, turns, tokens) and print the answer."""
    from control_plane.agents.errors import AgentError
    from control_plane.agents.runs import AgentRunner
    from control_plane.errors import ControlPlaneError

    if (prompt is None) == (messages is None):
        fail("give a PROMPT or --messages FILE (one of them)")
    execution_input: dict[str, Any] = {"prompt": prompt}
    if messages is not None:
        execution_input = {"messages": json.loads(messages.read_text(encoding="utf-8"))}
    runner = AgentRunner(_registry(env))
    try:
        arn = runner.start(name, execution_input)
        if not as_json:
            err.print(f"started {arn}", markup=False)
        result = runner.follow(arn, on_entry=None if as_json else print_entry, timeout_seconds=timeout)
    except (AgentError, ControlPlaneError) as exc:
        fail(str(exc))
    if as_json:
        print_json(result.as_json())
    else:
        print_result(result)
    if result.execution_status == "RUNNING":
        raise typer.Exit(3)
    if result.status in ("token_budget_exceeded", "max_turns_exceeded"):
        raise typer.Exit(2)
    if result.status != "completed":
        raise typer.Exit(1)


@app.command("trace")
def trace(
    execution_arn: Annotated[str, typer.Argument(help="The run's (first) execution ARN.")],
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Follow a run through the child executions it continued in (the history budget)."""
    from control_plane.agents.runs import AgentRunner
    from control_plane.errors import ControlPlaneError

    try:
        links = AgentRunner(_registry(env)).trace(execution_arn)
    except ControlPlaneError as exc:
        fail(str(exc))
    total = {k: sum(getattr(link, k) for link in links) for k in ("turns", "tool_calls")}
    if as_json:
        print_json({"executions": [link.as_json() for link in links], **total})
        return
    for depth, link in enumerate(links):
        line = f"{link.turns} turn(s), {link.tool_calls} tool call(s), {link.history_events} events"
        out.print(f"{'  ' * depth}{link.execution_arn} {link.status}: {line}", markup=False, highlight=False)
    out.print(f"{len(links)} execution(s): {total['turns']} turn(s), {total['tool_calls']} tool call(s)")
