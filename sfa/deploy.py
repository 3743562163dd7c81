"""``deploy_tool``: zip a tool folder and create or update its tagged Lambda, as any deploy tool would.

It makes ordinary Lambda API calls (CreateFunction, or UpdateFunctionCode →
UpdateFunctionConfiguration → TagResource/UntagResource), so the registrar learns of the tool
through CloudTrail like it would from CDK, SAM or Terraform. Code is updated before tags: the
registrar never sees a new version number on old code.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tool_sdk import ToolManifest, encode_manifest_tags, load_manifest
from tool_sdk.tags import manifest_tag_keys

__all__ = ["DeployResult", "ToolFolder", "deploy_tool", "read_tool_folder"]

_MANIFEST_NAMES = ("manifest.yaml", "manifest.yml", "manifest.json")
_PY_ENTRY = ("lambda_function.py", "handler.py", "app.py", "main.py")
_NODE_ENTRY = ("index.mjs", "index.js", "index.cjs")
_SKIP = {"__pycache__", ".git", ".venv", ".pytest_cache"}
_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


class ToolFolderError(ValueError):
    """Raised when a folder is not a deployable tool (no manifest, no recognisable entry point)."""


@dataclass(frozen=True)
class ToolFolder:
    path: Path
    manifest: ToolManifest
    runtime: str
    handler: str
    code: bytes


@dataclass
class DeployResult:
    function_name: str
    function_arn: str
    action: str  # created | updated | unchanged
    manifest: ToolManifest
    calls: list[str] = field(default_factory=list)


def read_tool_folder(path: Path, *, runtime: str | None = None, handler: str | None = None) -> ToolFolder:
    manifest_file = next((path / n for n in _MANIFEST_NAMES if (path / n).is_file()), None)
    if manifest_file is None:
        raise ToolFolderError(f"{path} has no manifest ({' or '.join(_MANIFEST_NAMES)})")
    manifest = load_manifest(manifest_file)
    if runtime is None or handler is None:
        found_runtime, found_handler = _detect_entry(path)
        runtime, handler = runtime or found_runtime, handler or found_handler
    return ToolFolder(path, manifest, runtime, handler, _zip_folder(path))


def _detect_entry(path: Path) -> tuple[str, str]:
    for name in _PY_ENTRY:
        if (path / name).is_file():
            return "python3.12", f"{Path(name).stem}.handler"
    for name in _NODE_ENTRY:
        if (path / name).is_file():
            return "nodejs20.x", "index.handler"
    raise ToolFolderError(
        f"{path}: no entry point found (Python: {', '.join(_PY_ENTRY)}; Node.js: {', '.join(_NODE_ENTRY)}); "
        "pass --runtime and --handler"
    )


def _zip_folder(path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = file.relative_to(path)
            if _SKIP & set(rel.parts) or file.name in _MANIFEST_NAMES:
                continue
            info = zipfile.ZipInfo(str(rel), date_time=(1980, 1, 1, 0, 0, 0))  # reproducible
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes())
    return buffer.getvalue()


def _ensure_role(iam: Any, env: str) -> str:
    """The shared execution role of tools deployed by ``sfa``: it may only write its own logs."""
    name = f"sfa-tool-{env}"
    try:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(_TRUST))["Role"]["Arn"]
    logs = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:*:*:log-group:/aws/lambda/tool-*-{env}*",
            }
        ],
    }
    iam.put_role_policy(RoleName=name, PolicyName="logs", PolicyDocument=json.dumps(logs))
    return arn


def deploy_tool(
    folder: ToolFolder, *, env: str, lambda_client: Any, iam_client: Any, role_arn: str | None = None
) -> DeployResult:
    """Create or update ``tool-{name}-{env}`` from ``folder``; only the calls needed are made."""
    from control_plane.deployment import tool_function_name

    name = tool_function_name(folder.manifest.name, env)
    tags = encode_manifest_tags(folder.manifest)
    timeout = folder.manifest.timeout_seconds or 30
    try:
        current = lambda_client.get_function(FunctionName=name)
    except lambda_client.exceptions.ResourceNotFoundException:
        created = lambda_client.create_function(
            FunctionName=name,
            Runtime=folder.runtime,
            Handler=folder.handler,
            Role=role_arn or _ensure_role(iam_client, env),
            Code={"ZipFile": folder.code},
            Timeout=timeout,
            Architectures=["arm64"],
            Tags=tags,
        )
        return DeployResult(name, created["FunctionArn"], "created", folder.manifest, ["CreateFunction"])
    config = current["Configuration"]
    arn, calls = config["FunctionArn"], []
    sha = base64.b64encode(hashlib.sha256(folder.code).digest()).decode()
    if config.get("CodeSha256") != sha:
        lambda_client.update_function_code(FunctionName=name, ZipFile=folder.code)
        calls.append("UpdateFunctionCode")
        _wait_updated(lambda_client, name)
    wanted = {"Runtime": folder.runtime, "Handler": folder.handler, "Timeout": timeout}
    if any(config.get(k) != v for k, v in wanted.items()):
        lambda_client.update_function_configuration(FunctionName=name, **wanted)
        calls.append("UpdateFunctionConfiguration")
        _wait_updated(lambda_client, name)
    existing = lambda_client.list_tags(Resource=arn).get("Tags", {})
    stale = [k for k in manifest_tag_keys(existing) if k not in tags]
    if stale:
        lambda_client.untag_resource(Resource=arn, TagKeys=stale)
        calls.append("UntagResource")
    if any(existing.get(k) != v for k, v in tags.items()):
        lambda_client.tag_resource(Resource=arn, Tags=tags)
        calls.append("TagResource")
    return DeployResult(name, arn, "updated" if calls else "unchanged", folder.manifest, calls)


def _wait_updated(lambda_client: Any, name: str) -> None:
    # On AWS a function accepts no other update while LastUpdateStatus is InProgress.
    lambda_client.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
