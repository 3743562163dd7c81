"""The ``sfa`` command: a thin composition of command groups (each imports its package lazily)."""

from __future__ import annotations

import typer

from sfa.commands import deploy, events, local, manifest, tags, tools

__all__ = ["app", "main"]

app = typer.Typer(
    name="sfa",
    help="sfn-agents: self-registering AI agents on AWS.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(manifest.app, name="manifest")
app.add_typer(tags.app, name="tags")
app.add_typer(local.app, name="local")
app.add_typer(tools.app, name="tools")
app.add_typer(events.app, name="events")
app.command("deploy-tool")(deploy.deploy_tool_command)


def main() -> None:
    app()
