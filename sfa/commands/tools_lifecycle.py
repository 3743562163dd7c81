"""``sfa tools deprecate|disable|activate|rollback|prune``: operators' lifecycle decisions.

Each goes through the control plane's own code (``control_plane.registrar.lifecycle``): a
conditional registry write recording who (the caller's IAM principal), when and why, then the usual
registry events; the table's stream regenerates the agents that use the tool.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from sfa.output import fail, out, print_json

__all__ = ["register"]

ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept in the version's history).")]
EnvOption = Annotated[str | None, typer.Option(help="Environment (default: SFA_ENV, local mode's, or dev).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON only.")]


def _plane(env: str | None) -> tuple[Any, Any, str]:
    from control_plane.config import registry_bus_name, tool_registry_table_name
    from control_plane.events.publisher import EventBridgePublisher
    from control_plane.registrar.lifecycle import caller_arn
    from control_plane.registry import ToolRegistry
    from sfa.context import aws_client, resolve_env

    name = resolve_env(env)
    registry = ToolRegistry(tool_registry_table_name(name), aws_client("dynamodb"))
    publisher = EventBridgePublisher(registry_bus_name(name), aws_client("events"))
    return registry, publisher, caller_arn(aws_client("sts"))


def _ref(text: str) -> tuple[str, str]:
    name, sep, version = text.partition("@")
    if not sep or not name or not version:
        fail(f"expected NAME@VERSION (e.g. slugify@1.2.0), got {text!r}")
    return name, version


def _report(result: Any, json_output: bool) -> None:
    if json_output:
        print_json({"tool": result.tool_name, "changed": list(result.changed), "events": list(result.events)})
        return
    if not result.changed:
        out.print(f"{result.tool_name}: nothing to change", markup=False)
        return
    out.print(f"changed: {', '.join(result.changed)}", markup=False)
    out.print(f"events: {', '.join(result.events) or '-'}", markup=False)


def _status_command(status: str, verb: str, doc: str):
    def command(
        ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
        reason: ReasonOption,
        env: EnvOption = None,
        json_output: JsonFlag = False,
    ) -> None:
        from control_plane.errors import ControlPlaneError
        from control_plane.registrar.lifecycle import change_status

        name, version = _ref(ref)
        registry, publisher, actor = _plane(env)
        try:
            result = change_status(registry, publisher, name, version, status, actor=actor, reason=reason)  # type: ignore[arg-type]
        except ControlPlaneError as exc:
            fail(str(exc))
        _report(result, json_output)

    command.__doc__ = doc
    command.__name__ = verb
    return command


def rollback(
    name: str,
    to: Annotated[str, typer.Option("--to", help="The version latest and ranges resolve to from now on.")],
    reason: ReasonOption,
    env: EnvOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Make an older published version the one latest and ranges resolve to (no redeploy).

    Every active version above it is deprecated with the reason; agents regenerate at once. The
    next release (a higher version) is active again, which lifts the rollback."""
    from control_plane.errors import ControlPlaneError
    from control_plane.registrar.lifecycle import rollback as do_rollback

    registry, publisher, actor = _plane(env)
    try:
        result = do_rollback(registry, publisher, name, to, actor=actor, reason=reason)
    except ControlPlaneError as exc:
        fail(str(exc))
    _report(result, json_output)


def prune(
    older_than: Annotated[
        float, typer.Option("--older-than", help="Only versions disabled this many days ago.")
    ] = 7,
    yes: Annotated[bool, typer.Option("--yes", help="Delete (default: list only, a dry run).")] = False,
    env: EnvOption = None,
    json_output: JsonFlag = False,
) -> None:
    """List (dry run) or delete Lambda versions of disabled tool versions that no agent version uses."""
    from control_plane.agents import AgentRegistry
    from control_plane.config import agent_registry_table_name
    from control_plane.errors import ControlPlaneError
    from control_plane.registrar.prune import agent_referenced_arns, delete_candidate, prune_candidates
    from control_plane.registrar.sync import iso_now
    from sfa.context import aws_client, resolve_env

    registry, _, actor = _plane(env)
    try:
        agents = AgentRegistry(agent_registry_table_name(resolve_env(env)), aws_client("dynamodb")).list()
        machines = [a.state_machine_arn for a in agents if a.state_machine_arn]
        definitions = agent_referenced_arns(aws_client("stepfunctions"), machines)
        candidates = prune_candidates(registry, definitions, older_than_days=older_than)
        if yes:
            for candidate in candidates:
                delete_candidate(registry, aws_client("lambda"), candidate, actor=actor, now=iso_now())
    except ControlPlaneError as exc:
        fail(str(exc))
    if json_output:
        print_json({"deleted": yes, "versions": [c.__dict__ | {"refs": list(c.refs)} for c in candidates]})
        return
    verb = "deleted" if yes else "would delete (dry run; --yes to delete)"
    if not candidates:
        out.print("nothing to prune", markup=False)
    for c in candidates:
        out.print(f"{verb}: {c.lambda_arn}  ({', '.join(c.refs)}; disabled {c.disabled_at})", markup=False)


def register(app: typer.Typer) -> None:
    for status, verb, doc in (
        ("deprecated", "deprecate", "Deprecate NAME@VERSION: agents that pin it keep it, with a warning."),
        ("disabled", "disable", "Disable NAME@VERSION: it leaves every agent (they regenerate)."),
        ("active", "activate", "Activate NAME@VERSION again (undoes deprecate, disable or rollback)."),
    ):
        app.command(verb)(_status_command(status, verb, doc))
    app.command("rollback")(rollback)
    app.command("prune")(prune)
