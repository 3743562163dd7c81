"""Console helpers: results to stdout, diagnostics to stderr (so ``--json``/pipes stay clean).

Both consoles print **without markup**: tool names, inputs, answers, paths, tag values and error
messages are content, and a ``[/bold]`` in them must print as is (Rich would raise MarkupError or
swallow ``[text]``). Styling goes through :func:`styled` (``rich.text.Text`` pieces, never parsed).
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

__all__ = ["err", "fail", "out", "print_json", "styled"]

out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """One line from plain strings and ``(text, style)`` pairs; no part is read as markup."""
    return Text.assemble(*((p[0], p[1]) if isinstance(p, tuple) else str(p) for p in parts))


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


def fail(message: str, details: list[str] | None = None, code: int = 1) -> NoReturn:
    err.print(styled(("error:", "bold red"), " ", str(message)))
    for line in details or []:
        err.print(f"  {line}")
    raise typer.Exit(code)
