"""``sfa tags FILE --format …`` (manifest → tags for any IaC) and ``sfa tags decode TAGS.json``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from sfa.output import fail, print_json

__all__ = ["TagFormat", "app", "render_tags"]


class _DefaultEncodeGroup(TyperGroup):
    """``sfa tags FILE`` means ``sfa tags encode FILE``; ``sfa tags decode X`` stays a subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["encode", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultEncodeGroup,
    help="Turn a manifest into Lambda tags for your deploy tool, or decode tags back.",
    no_args_is_help=True,
)


class TagFormat(StrEnum):
    json = "json"
    aws_cli = "aws-cli"
    cdk = "cdk"
    sam = "sam"
    terraform = "terraform"


def render_tags(tags: dict[str, str], fmt: TagFormat, resource: str = '"$FUNCTION_ARN"') -> str:
    """Tags in the syntax of one deploy tool, ready to paste."""
    items = sorted(tags.items())
    if fmt is TagFormat.json:
        return json.dumps(dict(items), indent=2)
    if fmt is TagFormat.aws_cli:
        body = json.dumps(dict(items), separators=(",", ":"))
        return f"aws lambda tag-resource --resource {resource} --tags '{body}'"
    if fmt is TagFormat.cdk:
        # Restricted to the function: Tags.of() would otherwise also tag its role and log group.
        lines = [
            "from aws_cdk import Tags",
            "",
            "# fn: your aws_lambda.Function",
            *(
                f'Tags.of(fn).add("{k}", "{v}", include_resource_types=["AWS::Lambda::Function"])'
                for k, v in items
            ),
        ]
        return "\n".join(lines)
    if fmt is TagFormat.sam:
        return "\n".join(["Tags:", *(f'  "{k}": "{v}"' for k, v in items)])
    return "\n".join(["tags = {", *(f'  "{k}" = "{v}"' for k, v in items), "}"])


@app.command("encode")
def encode(
    file: Annotated[Path, typer.Argument(help="Manifest file (.yaml, .yml or .json).")],
    fmt: Annotated[TagFormat, typer.Option("--format", "-f", help="Output syntax.")] = TagFormat.json,
    resource: Annotated[
        str, typer.Option(help="Function ARN for the aws-cli command (default: a shell variable).")
    ] = '"$FUNCTION_ARN"',
) -> None:
    """Print the Lambda tags that carry FILE's manifest."""
    from tool_sdk import (
        ManifestLoadError,
        ManifestTooLargeError,
        ManifestValidationError,
        encode_manifest_tags,
        load_manifest,
    )

    try:
        tags = encode_manifest_tags(load_manifest(file))
    except ManifestLoadError as exc:
        fail(str(exc))
    except ManifestValidationError as exc:
        fail(f"{file}: {len(exc.problems)} problem(s)", [str(p) for p in exc.problems])
    except ManifestTooLargeError as exc:
        fail(str(exc))
    typer.echo(render_tags(tags, fmt, resource))


def _flat_tags(data: Any) -> dict[str, str]:
    """Accept a flat map, ListTags/GetFunction output (``{"Tags": {...}}``) or ``[{Key, Value}]``."""
    if isinstance(data, dict) and isinstance(data.get("Tags"), dict | list):
        data = data["Tags"]
    if isinstance(data, list):
        try:
            return {str(t["Key"]): str(t["Value"]) for t in data}
        except (KeyError, TypeError):
            fail("a tag list must hold objects with Key and Value")
    if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
        return {str(k): v for k, v in data.items()}
    fail('tags must be a JSON object of string values, {"Tags": {...}} or [{"Key", "Value"}]')


@app.command("decode")
def decode(
    file: Annotated[str, typer.Argument(help="JSON file with the tags, or - for stdin.")],
) -> None:
    """Print the manifest carried by a set of tags (exit 1 with the typed error when broken)."""
    from tool_sdk import TagDecodeError, decode_manifest_tags

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    except json.JSONDecodeError as exc:
        fail(f"{file} is not JSON: {exc}")
    try:
        manifest = decode_manifest_tags(_flat_tags(data))
    except TagDecodeError as exc:
        details = [str(p) for p in getattr(exc, "problems", [])]
        fail(f"{type(exc).__name__}: {exc}", details)
    print_json(manifest.model_dump(mode="json"))
