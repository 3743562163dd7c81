"""Builders shared by the control-plane tests: manifests, tool functions, CloudTrail deliveries."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from control_plane.events.models import RegistryEventDetail
from control_plane.registrar.trigger import cloudtrail_event
from tool_sdk.manifest import ToolManifest
from tool_sdk.tags import encode_manifest_tags, manifest_tag_keys

PY_HANDLER = "def handler(event, context):\n    return {'echo': event, 'build': %r}\n"
NODE_HANDLER = "export const handler = async (event) => ({ echo: event, build: %s });\n"


def manifest_data(name: str = "convert_units", version: str = "1.0.0", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "version": version,
        "description": f"{name} tool, version {version}.",
        "input_schema": {
            "type": "object",
            "properties": {"value": {"type": "number", "minimum": 0.5}, "unit": {"type": "string"}},
            "required": ["value"],
        },
        "language": "python",
        "tags": ["travel", "math"],
        "author": "team-travel",
    }
    data.update(overrides)
    return data


def manifest(name: str = "convert_units", version: str = "1.0.0", **overrides: Any) -> ToolManifest:
    return ToolManifest.model_validate(manifest_data(name, version, **overrides))


def tags_for(m: ToolManifest | dict[str, Any]) -> dict[str, str]:
    return encode_manifest_tags(m if isinstance(m, ToolManifest) else ToolManifest.model_validate(m))


def raw_manifest_tags(data: Any, *, name: str | None = None, version: str | None = None) -> dict[str, str]:
    """Tags in the codec's format for arbitrary JSON data (bypassing validation)."""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    payload = base64.b64encode(zlib.compress(raw, 9)).decode()
    parts = [payload[i : i + 256] for i in range(0, len(payload), 256)] or [""]
    tags = {"agent-tool:digest": f"v1.{len(parts)}.{hashlib.sha256(raw).hexdigest()}"}
    tags.update({f"agent-tool:m{i:02d}": p for i, p in enumerate(parts)})
    if isinstance(data, dict):
        n, v = name or data.get("name"), version or data.get("version")
        if isinstance(n, str):
            tags["agent-tool:name"] = n
        if isinstance(v, str):
            tags["agent-tool:version"] = v
    return tags


def python_code(build: str) -> dict[str, str]:
    return {"app.py": PY_HANDLER % build}


@dataclass
class RecordingPublisher:
    """An in-memory publisher: what the registrar would have sent to the bus."""

    events: list[RegistryEventDetail] = field(default_factory=list)

    def publish(self, events: Any) -> None:
        self.events.extend(events)

    def of(self, detail_type: str) -> list[Any]:
        return [e for e in self.events if detail_type == e.DETAIL_TYPE]

    def clear(self) -> None:
        self.events.clear()


def event_for(action: str, function_arn: str, tag_keys: list[str] | None = None) -> dict[str, Any]:
    return cloudtrail_event(action, function_arn, tag_keys=tag_keys)


def retag(lambda_client: Any, arn: str, new_tags: dict[str, str]) -> None:
    """Replace the function's manifest tags with ``new_tags`` (untag stale keys, then tag)."""
    current = lambda_client.list_tags(Resource=arn)["Tags"]
    stale = [k for k in manifest_tag_keys(current) if k not in new_tags]
    if stale:
        lambda_client.untag_resource(Resource=arn, TagKeys=stale)
    lambda_client.tag_resource(Resource=arn, Tags=new_tags)


def untag_manifest(lambda_client: Any, arn: str) -> list[str]:
    keys = manifest_tag_keys(lambda_client.list_tags(Resource=arn)["Tags"])
    if keys:
        lambda_client.untag_resource(Resource=arn, TagKeys=keys)
    return keys


def strip_bookkeeping(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "rev" and not k.startswith("gsi_")}


def plan_published(obs, state, *, version: str = "1", **kwargs):
    """``plan_sync``; when it asks for a published Lambda version, publish one (as the registrar's
    sync does, without AWS) and plan again."""
    from dataclasses import replace

    from control_plane.registrar.observe import PublishedVersion
    from control_plane.registrar.plan import plan_sync

    plan = plan_sync(obs, state, **kwargs)
    if plan.outcome != "publish":
        return plan
    published = PublishedVersion(f"{obs.function_arn}:{version}", version, obs.code_sha256, obs.config_digest)
    return plan_sync(replace(obs, published=published), state, **kwargs)
