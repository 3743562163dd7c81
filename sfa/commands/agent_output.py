"""Rich output of ``sfa agent``: an agent's state, a run's timeline (turns, tool calls, tokens) and
its result. Shared by the ``agent`` commands and ``sfa demo``."""

from __future__ import annotations

import json
from typing import Any

from sfa.output import err, out

__all__ = ["print_entry", "print_result", "print_show"]


def print_show(record: Any) -> None:
    from rich.table import Table

    live = f"v{record.live_version} ({record.live_version_arn})" if record.live_version_arn else "none"
    rows = [
        (
            "status",
            f"{record.status} (spec generation {record.generation}, rendered {record.rendered_generation})",
        ),
        ("model", str(record.spec.get("model"))),
        ("selectors", ", ".join(record.spec.get("tools", [])) or "none"),
        ("live", live),
        ("alias", record.alias_arn or "-"),
        ("role", record.role_arn or "-"),
        ("definition", record.definition_sha256 or "-"),
        ("grants", f"{record.policy_mode or '-'} ({record.policy_chars or 0} policy characters)"),
    ]
    for key, value in rows:
        out.print(f"[bold]{key:>10}[/] {value}", highlight=False)
    if record.resolved_tools:
        table = Table("tool", "version", "status", "lambda")
        for t in record.resolved_tools:
            table.add_row(t.name, t.version, t.status, t.lambda_arn)
        out.print(table)
    for warning in record.warnings:
        out.print(f"[yellow]warning:[/] {warning}")
    if record.last_error:
        e = record.last_error
        out.print(f"[red]last error[/] at {e.step} ({e.at}): {e.type}: {e.message}", highlight=False)


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_entry(entry: Any) -> None:
    took = f"{entry.duration_ms:.0f} ms" if entry.duration_ms is not None else ""
    d = entry.detail
    if entry.kind == "llm" and entry.outcome == "ok":
        usage = d.get("usage") or {}
        calls = f" → {', '.join(d['tool_calls'])}" if d.get("tool_calls") else ""
        tokens = f"{usage.get('input_tokens', 0)} in / {usage.get('output_tokens', 0)} out tokens"
        model = ":".join(str(d[k]) for k in ("provider", "model") if d.get(k))
        line = f"[bold]{entry.name}[/] {model} {took}, {tokens}, {d.get('stop_reason')}{calls}"
        out.print(line, highlight=False)
    elif entry.kind == "tool":
        mark = "[green]ok[/]" if entry.outcome == "ok" else f"[red]{entry.outcome}[/]"
        shown = d.get("result") if entry.outcome == "ok" else f"{d.get('error')}: {d.get('cause')}"
        out.print(f"  tool [bold]{entry.name}[/] {_short(d.get('input'), 80)} {took} {mark} {_short(shown)}")
    elif entry.kind == "approval" and entry.outcome == "waiting":
        out.print(f"  [yellow]approval needed[/] for {entry.name} {_short(d.get('input'), 80)}")
        out.print(f"    sfa approve {d.get('task_token')}", markup=False, highlight=False)
        out.print("    sfa deny TOKEN --reason '...'", markup=False, highlight=False)
    elif entry.kind == "approval":
        out.print(
            f"  approval for {entry.name}: {entry.outcome} {_short(d.get('decision') or d.get('error'))}"
        )
    else:
        out.print(
            f"[red]{entry.name} {entry.outcome}[/] {_short(d.get('error'))}: {_short(d.get('cause'), 400)}"
        )


def print_result(result: Any) -> None:
    data = result.as_json()
    if data.get("answer"):
        out.print("")
        out.print(data["answer"], markup=False, highlight=False)
    usage = data.get("usage") or {}
    tokens = (usage.get("input_tokens") or 0) + (usage.get("output_tokens") or 0)
    colour = "green" if data["status"] == "completed" else "red"
    summary = f"{data.get('turns')} turn(s), {data.get('tool_calls')} tool call(s), {tokens} tokens"
    err.print(f"[{colour}]{data['status']}[/] ({result.execution_status}): {summary}", highlight=False)
    if data.get("error"):
        err.print(f"{data['error']}: {_short(data.get('cause'), 600)}", markup=False)
