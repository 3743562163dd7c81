"""The real gateway Lambda (``llm_gateway``) with a content bucket, for large-payload tests and bench."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from local.platform import create_content_bucket
from local.testing import create_function
from tool_sdk.content import ContentStore

ROOT = Path(__file__).resolve().parents[2]
MAX_STATE_BYTES = 256 * 1024


def package_files(*packages: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in {".py", ".json"} and "__pycache__" not in path.parts:
                files[str(path.relative_to(ROOT))] = path.read_bytes()
    return files


def deploy_content_gateway(
    aws: Any,
    *,
    env: dict[str, str] | None = None,
    extra_files: dict[str, str] | None = None,
    handler: str = "llm_gateway.handler.handler",
    name: str = "sfa-llm-gateway-dev",
) -> tuple[str, ContentStore]:
    """The gateway function (offline provider unless ``handler`` says otherwise) and its store."""
    bucket = create_content_bucket(aws, "dev")
    files: dict[str, str | bytes] = {**package_files("llm_gateway", "tool_sdk"), **(extra_files or {})}
    variables = {
        "SFA_ENV": "dev",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "SFA_CONTENT_BUCKET": bucket,
        **(env or {}),
    }
    arn = create_function(aws, name, files, handler, timeout=60, env=variables)["FunctionArn"]
    return arn, ContentStore(bucket, client=aws.client("s3"))


def max_state_bytes(history: list[dict[str, Any]]) -> int:
    """The largest state input/output/parameters/result in an execution history (UTF-8 bytes)."""
    largest = 0
    for event in history:
        for key, details in event.items():
            if not key.endswith("EventDetails") or not isinstance(details, dict):
                continue
            for field in ("input", "output", "parameters", "result"):
                value = details.get(field)
                if isinstance(value, str):
                    largest = max(largest, len(value.encode("utf-8")))
    return largest


def bucket_objects(store: ContentStore) -> dict[str, bytes]:
    s3 = store.client
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=store.bucket).get("Contents", [])]
    return {k: s3.get_object(Bucket=store.bucket, Key=k)["Body"].read() for k in keys}


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
