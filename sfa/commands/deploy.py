"""``sfa deploy-tool DIR``: deploy a tool folder (manifest + code) as a tagged Lambda."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sfa.output import fail, out

__all__ = ["deploy_tool_command"]


def deploy_tool_command(
    folder: Annotated[Path, typer.Argument(help="Folder with manifest.yaml and the handler code.")],
    env: Annotated[
        str | None, typer.Option(help="Environment (default: SFA_ENV, local mode's, or dev).")
    ] = None,
    runtime: Annotated[str | None, typer.Option(help="Lambda runtime (default: detected).")] = None,
    handler: Annotated[str | None, typer.Option(help="Lambda handler (default: detected).")] = None,
    role_arn: Annotated[str | None, typer.Option(help="Execution role (default: sfa-tool-{env}).")] = None,
) -> None:
    """Create or update the tool's Lambda ``tool-{name}-{env}`` with its manifest tags."""
    from sfa.context import aws_client, resolve_env
    from sfa.deploy import ToolFolderError, deploy_tool, read_tool_folder
    from tool_sdk import ManifestError, ManifestTooLargeError

    try:
        tool = read_tool_folder(folder, runtime=runtime, handler=handler)
    except (ToolFolderError, ManifestError, ManifestTooLargeError) as exc:
        details = [str(p) for p in getattr(exc, "problems", [])]
        fail(str(exc) if not details else f"{folder}: invalid manifest", details)
    try:
        result = deploy_tool(
            tool,
            env=resolve_env(env),
            lambda_client=aws_client("lambda"),
            iam_client=aws_client("iam"),
            role_arn=role_arn,
        )
    except Exception as exc:  # botocore errors: report the service's message
        fail(f"deploy failed: {exc}")
    calls = f" ({', '.join(result.calls)})" if result.calls else ""
    out.print(
        f"{result.action}: {result.function_name} — {result.manifest.name}@{result.manifest.version}{calls}",
        markup=False,
    )
