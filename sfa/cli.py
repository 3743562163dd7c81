"""The ``sfa`` command: a thin composition of command groups."""

from __future__ import annotations

import typer

from sfa.commands import manifest, tags

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


def main() -> None:
    app()
