"""Rich output of ``sfa agent``: an agent's state, a run's timeline (turns, tool calls, tokens) and
its result. Shared by the ``agent`` commands and ``sfa demo``.

Everything shown comes from the registry or the run (names, inputs, answers, errors): it is printed
as text, never as markup (``sfa.output``). An answer above the content threshold is a reference
(docs/large-payloads.md): it is printed resolved from the platform's content bucket, or — when that
fails — as a note saying how to fetch it.
"""

from __future__ import annotations

import json
from typing import Any

from sfa.output import err, out, styled

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
        ("selectors", ", ".join(str(s) for s in record.spec.get("tools", [])) or "none"),
        ("live", live),
        ("alias", record.alias_arn or "-"),
        ("role", record.role_arn or "-"),
        ("definition", record.definition_sha256 or "-"),
        ("grants", f"{record.policy_mode or '-'} ({record.policy_chars or 0} policy characters)"),
    ]
    for key, value in rows:
        out.print(styled((f"{key:>10}", "bold"), " ", value))
    if record.resolved_tools:
        table = Table("tool", "version", "status", "lambda")
        for t in record.resolved_tools:
            table.add_row(t.name, t.version, t.status, t.lambda_arn)
        out.print(table)
    for warning in record.warnings:
        out.print(styled(("warning:", "yellow"), " ", warning))
    if record.last_error:
        e = record.last_error
        out.print(styled(("last error", "red"), f" at {e.step} ({e.at}): {e.type}: {e.message}"))


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_entry(entry: Any) -> None:
    took = f"{entry.duration_ms:.0f} ms" if entry.duration_ms is not None else ""
    d = entry.detail
    if entry.kind == "llm" and entry.outcome == "ok":
        usage = d.get("usage") or {}
        calls = f" → {', '.join(str(c) for c in d['tool_calls'])}" if d.get("tool_calls") else ""
        tokens = f"{usage.get('input_tokens', 0)} in / {usage.get('output_tokens', 0)} out tokens"
        model = ":".join(str(d[k]) for k in ("provider", "model") if d.get(k))
        out.print(styled((entry.name, "bold"), f" {model} {took}, {tokens}, {d.get('stop_reason')}{calls}"))
    elif entry.kind == "tool":
        mark = ("ok", "green") if entry.outcome == "ok" else (entry.outcome, "red")
        shown = d.get("result") if entry.outcome == "ok" else f"{d.get('error')}: {d.get('cause')}"
        out.print(
            styled(
                "  tool ",
                (entry.name, "bold"),
                f" {_short(d.get('input'), 80)} {took} ",
                mark,
                f" {_short(shown)}",
            )
        )
    elif entry.kind == "approval" and entry.outcome == "waiting":
        out.print(
            styled("  ", ("approval needed", "yellow"), f" for {entry.name} {_short(d.get('input'), 80)}")
        )
        out.print(f"    sfa approve {d.get('task_token')}")
        out.print("    sfa deny TOKEN --reason '...'")
    elif entry.kind == "approval":
        out.print(
            f"  approval for {entry.name}: {entry.outcome} {_short(d.get('decision') or d.get('error'))}"
        )
    else:
        out.print(
            styled(
                (f"{entry.name} {entry.outcome}", "red"),
                f" {_short(d.get('error'))}: {_short(d.get('cause'), 400)}",
            )
        )


def _answer_text(answer: Any, execution_arn: str) -> str:
    """The answer as text: a reference fetched (and verified) from the content bucket, or a note."""
    from tool_sdk.content import is_ref

    if isinstance(answer, str):
        return answer
    if not is_ref(answer):
        return json.dumps(answer, ensure_ascii=False, indent=2)
    from sfa.content import fetch_hint, platform_store
    from sfa.context import resolve_env

    try:
        value = platform_store(execution_arn, resolve_env(None)).resolve(answer)
    except Exception as exc:  # no access, expired, another bucket: say what it is and how to fetch it
        err.print(
            f"the answer is a content reference ({answer.get('bytes')} bytes) that could not be fetched "
            f"({type(exc).__name__}: {exc}); fetch it with: {fetch_hint(answer)}"
        )
        return str(answer.get("preview") or "") + " …"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)


def print_result(result: Any) -> None:
    data = result.as_json()
    if data.get("answer"):
        out.print("")
        out.print(_answer_text(data["answer"], result.execution_arn))
    usage = data.get("usage") or {}
    tokens = (usage.get("input_tokens") or 0) + (usage.get("output_tokens") or 0)
    colour = "green" if data["status"] == "completed" else "red"
    summary = f"{data.get('turns')} turn(s), {data.get('tool_calls')} tool call(s), {tokens} tokens"
    err.print(styled((str(data["status"]), colour), f" ({result.execution_status}): {summary}"))
    if data.get("error"):
        err.print(f"{data['error']}: {_short(data.get('cause'), 600)}")
