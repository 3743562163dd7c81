"""``sfa manifest validate|schema``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sfa.output import fail, out, print_json

__all__ = ["app"]

app = typer.Typer(help="Validate tool manifests and print their JSON Schema.", no_args_is_help=True)


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Manifest file (.yaml, .yml or .json).")],
) -> None:
    """Validate a manifest: exit 0 with a one-line summary, or 1 with every problem by field path."""
    from tool_sdk import (
        ManifestLoadError,
        ManifestTooLargeError,
        ManifestValidationError,
        encode_manifest_tags,
        validate_manifest,
    )
    from tool_sdk.manifest import load_manifest_data

    try:
        manifest, report = validate_manifest(load_manifest_data(file))
        tags = encode_manifest_tags(manifest)
    except ManifestLoadError as exc:
        fail(str(exc))
    except ManifestValidationError as exc:
        fail(f"{file}: {len(exc.problems)} problem(s)", [str(p) for p in exc.problems])
    except ManifestTooLargeError as exc:
        fail(f"{file}: {exc}")
    props = len(manifest.input_schema.get("properties", {}))
    parts = sum(1 for k in tags if k.startswith("agent-tool:m"))
    portable = f"; providers: {', '.join(report.accepted_by)}" if report.checked else ""
    out.print(
        f"ok: {manifest.name}@{manifest.version} ({manifest.status}) — {_n(props, 'input property')}, "
        f"{_n(len(manifest.tags), 'label')}, {_n(len(tags), 'Lambda tag')} "
        f"({_n(parts, 'part')}){portable}",
        markup=False,
    )
    for provider, notes in report.warnings.items():
        for note in notes:
            out.print(f"  warning: {provider}: {note}", markup=False)


@app.command("schema")
def schema() -> None:
    """Print the manifest JSON Schema (draft 2020-12)."""
    from tool_sdk.schema import manifest_json_schema

    print_json(manifest_json_schema())


def _n(count: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count} {noun if count == 1 else plural}"
