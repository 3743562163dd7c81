"""Reading what is true now about a function, and judging its manifest (no registry access).

:func:`read_function` does the re-read (GetFunction + ListTags); :func:`interpret` is pure: it turns
what was read into an :class:`Observation` — serving a valid manifest, untagged, absent, or rejected
with every reason.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from control_plane.aws import call
from control_plane.config import ControlPlaneConfig
from control_plane.errors import AwsResourceNotFoundError
from control_plane.events.models import RejectionReason
from control_plane.registry.codec import MAX_ITEM_BYTES, item_size, storability_problems, to_attribute_map
from tool_sdk.errors import InvalidManifestInTagsError, ManifestValidationError, Problem, TagDecodeError
from tool_sdk.manifest import ToolManifest, validate_manifest
from tool_sdk.tags import NAME_TAG, VERSION_TAG, decode_manifest_tags, has_manifest_tags, manifest_sha256

__all__ = [
    "FunctionSnapshot",
    "Observation",
    "ObservationKind",
    "PublishedVersion",
    "config_digest",
    "configuration_summary",
    "content_sha256",
    "interpret",
    "read_function",
    "read_versions",
]

ObservationKind = Literal["serving", "untagged", "absent", "rejected"]
_MAX_REASONS = 50
_MAX_MESSAGE = 500
_MAX_PATH = 300


@dataclass(frozen=True)
class FunctionSnapshot:
    """What GetFunction + ListTags said (``exists`` False when the function is gone)."""

    function_name: str
    exists: bool
    function_arn: str | None = None
    code_sha256: str | None = None
    revision_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    configuration: dict[str, Any] = field(default_factory=dict)  # configuration_summary(...)
    versions: dict[str, str] | None = None  # published version → CodeSha256 (None: not read)

    @property
    def config_digest(self) -> str:
        return config_digest(self.configuration)


@dataclass(frozen=True)
class PublishedVersion:
    """The Lambda version the registrar published for an accepted name@version."""

    arn: str  # qualified: ...:function:NAME:VERSION
    version: str
    code_sha256: str
    config_digest: str


@dataclass(frozen=True)
class Observation:
    """A judged snapshot: what the registry should make of the function right now."""

    function_name: str
    kind: ObservationKind
    observed_at: str
    function_arn: str | None = None
    code_sha256: str | None = None
    revision_id: str | None = None
    configuration: dict[str, Any] = field(default_factory=dict)
    config_digest: str | None = None
    published: PublishedVersion | None = None
    versions: dict[str, str] | None = None  # the function's published versions → CodeSha256
    tags_sha256: str | None = None
    manifest: ToolManifest | None = None
    manifest_sha256: str | None = None
    content_sha256: str | None = None
    portability_warnings: dict[str, list[str]] = field(default_factory=dict)
    claimed_name: str | None = None
    claimed_version: str | None = None
    reasons: tuple[RejectionReason, ...] = ()

    @property
    def transient(self) -> bool:
        """A rejection that a deploy in progress can produce: the manifest tags do not decode.

        Deploy tools change tags in more than one call (Terraform untags removed keys before it tags
        new values), so an observation between two calls can see a torn tag set. A readable manifest
        is always one some deploy wrote whole (the digest tag proves every part), so only an
        unreadable one is held for the grace window instead of rejected at once."""
        return self.kind == "rejected" and all(r.code == "tags_unreadable" for r in self.reasons)


# What the configuration digest covers: everything that changes what the code does when it runs,
# except environment variable values (secrets must never reach the registry; their names do).
_CONFIG_KEYS = ("Runtime", "Handler", "Architectures", "MemorySize", "Timeout", "PackageType")


def configuration_summary(config: dict[str, Any]) -> dict[str, Any]:
    """The recorded part of a GetFunction/PublishVersion ``Configuration`` (no variable values)."""
    out: dict[str, Any] = {}
    for key in _CONFIG_KEYS:
        value = config.get(key)
        if value not in (None, "", []):
            out[_snake(key)] = list(value) if isinstance(value, list) else value
    out["layers"] = sorted(str(layer.get("Arn", "")) for layer in config.get("Layers") or [])
    variables = (config.get("Environment") or {}).get("Variables") or {}
    out["environment_variable_names"] = sorted(variables)
    storage = (config.get("EphemeralStorage") or {}).get("Size")
    if storage:
        out["ephemeral_storage"] = storage
    return out


def config_digest(summary: dict[str, Any]) -> str:
    text = json.dumps(summary, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def read_function(lambda_client: Any, function_name: str) -> FunctionSnapshot:
    """GetFunction + ListTags; a function deleted before either call is reported as absent."""
    try:
        config = call(lambda_client.get_function, FunctionName=function_name)["Configuration"]
        tags = call(lambda_client.list_tags, Resource=config["FunctionArn"]).get("Tags") or {}
    except AwsResourceNotFoundError:
        return FunctionSnapshot(function_name, exists=False)
    return FunctionSnapshot(
        function_name=function_name,
        exists=True,
        function_arn=config["FunctionArn"],
        code_sha256=config.get("CodeSha256"),
        revision_id=config.get("RevisionId"),  # absent in moto, a UUID that changes on AWS
        tags=dict(tags),
        configuration=configuration_summary(config),
    )


def read_versions(lambda_client: Any, function_name: str) -> dict[str, str] | None:
    """The function's published versions → CodeSha256 (None when the function is gone)."""
    versions: dict[str, str] = {}
    marker: str | None = None
    try:
        while True:
            page = call(
                lambda_client.list_versions_by_function,
                FunctionName=function_name,
                **({"Marker": marker} if marker else {}),
            )
            for v in page.get("Versions") or []:
                if str(v.get("Version")) != "$LATEST":
                    versions[str(v["Version"])] = str(v.get("CodeSha256") or "")
            marker = page.get("NextMarker")
            if not marker:
                return versions
    except AwsResourceNotFoundError:
        return None


def content_sha256(manifest: ToolManifest, code_sha256: str, config: str = "") -> str:
    """Identity of a published version: its code, its configuration digest and its manifest
    without the lifecycle status."""
    data = manifest.canonical_dict()
    data.pop("status", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{code_sha256}\n{config}\n{text}".encode()).hexdigest()


def interpret(snapshot: FunctionSnapshot, config: ControlPlaneConfig, observed_at: str) -> Observation:
    """Judge a snapshot. Never raises for anything found in the tags: whatever they hold yields a
    verdict (content over a limit of tool_sdk.limits is rejected before any expensive work)."""
    base: dict[str, Any] = {"function_name": snapshot.function_name, "observed_at": observed_at}
    if not snapshot.exists:
        return Observation(kind="absent", **base)
    base.update(
        function_arn=snapshot.function_arn,
        code_sha256=snapshot.code_sha256,
        revision_id=snapshot.revision_id,
        configuration=snapshot.configuration,
        config_digest=snapshot.config_digest,
        versions=snapshot.versions,
    )
    tags = snapshot.tags
    base["tags_sha256"] = hashlib.sha256(
        json.dumps(tags, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    if not has_manifest_tags(tags):
        return Observation(kind="untagged", **base)
    base.update(
        claimed_name=_short(tags.get(NAME_TAG), 128), claimed_version=_short(tags.get(VERSION_TAG), 128)
    )
    if not config.function_allowed(snapshot.function_name):
        message = config.out_of_scope_message(snapshot.function_name)
        return _rejected(base, [("function_not_allowed", "", message)])
    try:
        return _judge(snapshot, base)
    except (RecursionError, MemoryError) as exc:  # the limits make these unreachable; never a crash
        message = f"the manifest could not be judged within the registrar's limits ({type(exc).__name__})"
        return _rejected(base, [("invalid_manifest", "", message)])
    except Exception as exc:  # pure code on content: a failure here would fail every retry alike
        message = f"the manifest could not be judged: {type(exc).__name__}: {exc}"
        return _rejected(base, [("invalid_manifest", "", message)])


def _judge(snapshot: FunctionSnapshot, base: dict[str, Any]) -> Observation:
    """Decode, validate (limits first: tool_sdk.limits), check portability and storability."""
    try:
        manifest = decode_manifest_tags(snapshot.tags, portability=False)
        manifest, report = _with_portability(manifest)
    except InvalidManifestInTagsError as exc:
        return _rejected(base, [("invalid_manifest", p.path, p.message) for p in exc.problems])
    except ManifestValidationError as exc:
        return _rejected(base, [("invalid_manifest", p.path, p.message) for p in exc.problems])
    except TagDecodeError as exc:
        return _rejected(base, [("tags_unreadable", "tags", str(exc))])
    data = manifest.model_dump(mode="json")
    unstorable = storability_problems(data)
    if unstorable:
        return _rejected(base, [("not_storable", p.path, p.message) for p in unstorable])
    size = item_size(to_attribute_map(data))
    if size > MAX_ITEM_BYTES - 4096:
        return _rejected(
            base,
            [("not_storable", "", f"manifest is {size} bytes stored; the limit is {MAX_ITEM_BYTES - 4096}")],
        )
    return Observation(
        kind="serving",
        manifest=manifest,
        manifest_sha256=manifest_sha256(manifest),
        content_sha256=content_sha256(manifest, snapshot.code_sha256 or "", snapshot.config_digest),
        portability_warnings=report.warnings,
        **base,
    )


def _with_portability(manifest: ToolManifest) -> tuple[ToolManifest, Any]:
    """Validate again with the registered LLM-provider checkers (they report portability warnings).

    A checker that crashes is a rejection with the reason, not a registrar failure: a tool whose
    schema could not be checked is not registered, and the reason is visible in ToolRejected.
    """
    try:
        return validate_manifest(manifest.canonical_dict(), portability=True)
    except ManifestValidationError:
        raise
    except Exception as exc:  # a provider checker's bug must not fail every retry of this event
        raise ManifestValidationError(
            [Problem("input_schema", f"portability check failed: {type(exc).__name__}: {exc}")]
        ) from None


def _rejected(base: dict[str, Any], reasons: list[tuple[str, str, str]]) -> Observation:
    unique = dict.fromkeys(
        (c, _short(p, _MAX_PATH) or "", _short(m, _MAX_MESSAGE) or "") for c, p, m in reasons
    )
    items = [RejectionReason(code=c, path=p, message=m) for c, p, m in unique]  # type: ignore[arg-type]
    if len(items) > _MAX_REASONS:
        extra = len(items) - _MAX_REASONS + 1
        items = [
            *items[: _MAX_REASONS - 1],
            RejectionReason(code=items[0].code, message=f"… and {extra} more"),
        ]
    return Observation(kind="rejected", reasons=tuple(items), **base)


def _short(text: Any, limit: int) -> str | None:
    if not isinstance(text, str):
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"
