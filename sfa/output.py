"""Console helpers: results to stdout, diagnostics to stderr (so ``--json``/pipes stay clean)."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from rich.console import Console

__all__ = ["err", "fail", "out", "print_json"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


def fail(message: str, details: list[str] | None = None, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", markup=True)
    for line in details or []:
        err.print(f"  {line}", markup=False)
    raise typer.Exit(code)
