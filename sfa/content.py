"""Content references (docs/large-payloads.md) as the CLI resolves them: the platform's bucket only.

A run's answer, a tool input waiting for approval, … above the content threshold is a reference
``{"$ref": "s3://sfa-content-…/content/<sha256>/<random>", "sha256", "bytes", "kind", "preview"}``.
The CLI reads it from the platform's content bucket — ``SFA_CONTENT_BUCKET`` or
``sfa-content-{account}-{region}-{env}`` of the execution it came from — and the store checks the
object's bytes against ``sha256``/``bytes``: what is shown is exactly what the platform uses.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["contains_ref", "fetch_hint", "platform_store", "resolve_content"]


def platform_store(execution_arn: str, env: str) -> Any:
    """The content store of the platform that ran ``execution_arn`` (a ``tool_sdk`` ContentStore)."""
    from control_plane.deployment import content_bucket_name
    from sfa.context import aws_client
    from tool_sdk.content import ContentStore

    bucket = os.environ.get("SFA_CONTENT_BUCKET")
    if not bucket:
        parts = execution_arn.split(":")
        if len(parts) < 5 or not parts[3] or not parts[4]:
            raise ValueError(f"not an execution ARN: {execution_arn!r}")
        bucket = content_bucket_name(parts[4], parts[3], env)
    return ContentStore(bucket, client=aws_client("s3"))


def contains_ref(value: Any) -> bool:
    from tool_sdk.content import is_ref

    if is_ref(value):
        return True
    if isinstance(value, list):
        return any(contains_ref(v) for v in value)
    if isinstance(value, dict):
        return any(contains_ref(v) for v in value.values())
    return False


def resolve_content(value: Any, execution_arn: str, env: str) -> Any:
    """``value`` with every reference replaced by its verified content (raises on any failure:
    a reference outside the platform bucket, a missing or altered object, no access)."""
    if not contains_ref(value):
        return value
    return platform_store(execution_arn, env).resolve(value)


def fetch_hint(ref: dict[str, Any]) -> str:
    """How to fetch a reference by hand."""
    return f"aws s3 cp {ref.get('$ref')} -  (sha256 {ref.get('sha256')}, {ref.get('bytes')} bytes)"
