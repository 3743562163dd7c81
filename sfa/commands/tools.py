"""``sfa tools list|show``: what the tool registry holds."""

from __future__ import annotations

from typing import Annotated

import typer

from sfa.output import fail, out, print_json

__all__ = ["app"]

app = typer.Typer(help="Read the tool registry and decide tool versions' lifecycle.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
EnvOption = Annotated[str | None, typer.Option(help="Environment (default: SFA_ENV, local mode's, or dev).")]


def _registry(env: str | None):
    from control_plane.config import tool_registry_table_name
    from control_plane.registry import ToolRegistry
    from sfa.context import aws_client, resolve_env

    return ToolRegistry(tool_registry_table_name(resolve_env(env)), aws_client("dynamodb"))


@app.command("list")
def list_tools(
    tag: Annotated[str | None, typer.Option(help="Only tools with this label.")] = None,
    language: Annotated[str | None, typer.Option(help="Only tools in this language.")] = None,
    status: Annotated[str, typer.Option(help="active | deprecated | disabled")] = "active",
    env: EnvOption = None,
    json_output: JsonFlag = False,
) -> None:
    """List tools (latest active version of each, by default)."""
    from control_plane.errors import ControlPlaneError

    try:
        records = _registry(env).list(tag=tag, language=language, status=status)
    except ControlPlaneError as exc:
        fail(str(exc))
    if json_output:
        print_json([r.model_dump(mode="json") for r in records])
        return
    from rich.table import Table

    table = Table("tool", "version", "status", "language", "labels", "function")
    for r in records:
        table.add_row(
            r.name, r.version, r.status, r.language or "", ", ".join(r.tags), r.lambda_function_name
        )
    out.print(table)


@app.command("show")
def show(
    name: str,
    version: Annotated[str, typer.Option(help="latest, an exact version or a range like ^1.2")] = "latest",
    env: EnvOption = None,
    json_output: JsonFlag = False,
) -> None:
    """One tool version, with its history."""
    from control_plane.errors import ControlPlaneError

    registry = _registry(env)
    try:
        record = registry.get(name, version)
        history = registry.history(name)
    except ControlPlaneError as exc:
        fail(str(exc))
    if json_output:
        print_json(
            {**record.model_dump(mode="json"), "versions": [h.model_dump(mode="json") for h in history]}
        )
        return
    out.print(f"{record.name}@{record.version} ({record.status}) — {record.description}", markup=False)
    out.print(f"  runs: {record.lambda_arn}", markup=False)
    out.print(f"  labels: {', '.join(record.tags) or '-'}   language: {record.language or '-'}", markup=False)
    if record.lifecycle:
        lc = record.lifecycle
        out.print(f"  {lc.status} by {lc.actor} at {lc.at}: {lc.reason}", markup=False)
    out.print("  versions:", markup=False)
    for h in history:
        marker = "*" if h.version == record.version else " "
        note = f" ({h.status_reason})" if h.status_reason != "manifest" else ""
        out.print(
            f"  {marker} {h.version:<12} {h.status:<10} lambda v{h.lambda_version or '?':<4} "
            f"updated {h.updated_at}{note}",
            markup=False,
        )
    out.print(f"  history of {record.version}:", markup=False)
    for entry in record.history:
        source = entry.trigger or "-"
        if entry.event_id:
            source += f" {entry.event_id}"
        why = f" — {entry.reason}" if entry.reason else ""
        out.print(
            f"    {entry.at} {entry.action:<12} {entry.status or '-':<10} by {entry.actor} via {source}{why}",
            markup=False,
        )


from sfa.commands.tools_lifecycle import register as _register_lifecycle  # noqa: E402

_register_lifecycle(app)
