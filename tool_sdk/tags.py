"""The manifest ↔ Lambda tags codec (docs/design.md §3).

A manifest is JSON, which no AWS tag value can hold, so it travels as
canonical JSON → zlib → base64, cut into numbered part tags of at most 256 characters:

    agent-tool:name     = convert_units           (readable; found with the Tagging API)
    agent-tool:version  = 1.2.0                   (readable)
    agent-tool:digest   = v1.3.<sha256 of the canonical JSON, hex>
    agent-tool:m00 … agent-tool:m02 = base64 chunks

Standard base64 only uses letters, digits and ``+ / =``, all inside AWS's tag charset. The digest tag
names the part count, so a missing part, a part left over from another manifest or a truncated value
is detected instead of decoding to a wrong manifest. Part tags numbered beyond the count (left by a
deploy tool that only adds tags) are ignored: the digest proves the parts used are the right ones.

Decoding never does unbounded work on what it reads: at most ``MAX_PART_TAGS`` parts of 256
characters, inflated by a bounded ``decompressobj`` that stops at ``MAX_MANIFEST_BYTES`` (a zlib bomb
is rejected having produced one byte over the limit), and the JSON nesting is measured on the text
before it is parsed (tool_sdk.limits).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from collections.abc import Mapping

from tool_sdk.bounds import json_text_depth
from tool_sdk.errors import (
    CorruptPayloadError,
    DigestMismatchError,
    InvalidManifestInTagsError,
    MalformedTagError,
    ManifestTooLargeError,
    ManifestValidationError,
    MissingTagError,
    NoManifestTagsError,
    Problem,
    TagMismatchError,
)
from tool_sdk.limits import MAX_MANIFEST_BYTES, MAX_SCHEMA_DEPTH
from tool_sdk.manifest import ToolManifest, validate_manifest

__all__ = [
    "DIGEST_TAG",
    "MAX_MANIFEST_TAGS",
    "MAX_PART_TAGS",
    "NAME_TAG",
    "TAG_PREFIX",
    "TAG_VALUE_MAX",
    "VERSION_TAG",
    "canonical_manifest_json",
    "decode_manifest_tags",
    "encode_manifest_tags",
    "has_manifest_tags",
    "is_valid_aws_tag",
    "manifest_sha256",
    "manifest_tag_keys",
]

TAG_PREFIX = "agent-tool:"
NAME_TAG = f"{TAG_PREFIX}name"
VERSION_TAG = f"{TAG_PREFIX}version"
DIGEST_TAG = f"{TAG_PREFIX}digest"
PART_TAG_PREFIX = f"{TAG_PREFIX}m"
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
# Lambda allows 50 tags per function; the manifest may use at most 40 so users keep 10 of their own.
MAX_MANIFEST_TAGS = 40
MAX_PART_TAGS = MAX_MANIFEST_TAGS - 3
FORMAT_VERSION = "v1"

_PART_KEY_RE = re.compile(rf"^{re.escape(PART_TAG_PREFIX)}(\d{{2}})$")
_DIGEST_RE = re.compile(rf"^{FORMAT_VERSION}\.([1-9]\d?)\.([0-9a-f]{{64}})$")
# AWS's tag pattern ^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$ (letters, separators, numbers, and _.:/=+-@).
_ALLOWED_PUNCT = set("_.:/=+-@")


def is_valid_aws_tag(key: str, value: str) -> bool:
    """Whether (key, value) is accepted by the Lambda TagResource API (length and charset)."""
    return (
        1 <= len(key) <= TAG_KEY_MAX
        and len(value) <= TAG_VALUE_MAX
        and all(_aws_char_ok(c) for c in key + value)
    )


def _aws_char_ok(c: str) -> bool:
    import unicodedata

    return c in _ALLOWED_PUNCT or unicodedata.category(c)[0] in ("L", "Z", "N")


def canonical_manifest_json(manifest: ToolManifest) -> bytes:
    """Deterministic JSON for a manifest: sorted keys, no whitespace, defaults omitted."""
    return json.dumps(
        manifest.canonical_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def manifest_sha256(manifest: ToolManifest) -> str:
    return hashlib.sha256(canonical_manifest_json(manifest)).hexdigest()


def encode_manifest_tags(manifest: ToolManifest) -> dict[str, str]:
    """The Lambda tags carrying ``manifest``; raises ``ManifestTooLargeError`` over the budget."""
    raw = canonical_manifest_json(manifest)
    # mtime-free, fixed-level zlib keeps the output byte-for-byte deterministic.
    payload = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    parts = [payload[i : i + TAG_VALUE_MAX] for i in range(0, len(payload), TAG_VALUE_MAX)] or [""]
    if len(parts) > MAX_PART_TAGS:
        raise ManifestTooLargeError(
            encoded_chars=len(payload),
            budget_chars=MAX_PART_TAGS * TAG_VALUE_MAX,
            parts_needed=len(parts),
            max_parts=MAX_PART_TAGS,
        )
    tags = {
        NAME_TAG: manifest.name,
        VERSION_TAG: manifest.version,
        DIGEST_TAG: f"{FORMAT_VERSION}.{len(parts)}.{hashlib.sha256(raw).hexdigest()}",
    }
    tags.update({f"{PART_TAG_PREFIX}{i:02d}": part for i, part in enumerate(parts)})
    return tags


def manifest_tag_keys(tags: Mapping[str, str]) -> list[str]:
    """The keys in ``tags`` that belong to the codec (to remove a manifest, untag these)."""
    return sorted(k for k in tags if k.startswith(TAG_PREFIX))


def has_manifest_tags(tags: Mapping[str, str]) -> bool:
    return any(k in tags for k in (DIGEST_TAG, NAME_TAG)) or any(_PART_KEY_RE.match(k) for k in tags)


def _over_limit(message: str) -> InvalidManifestInTagsError:
    """A manifest whose (complete) tags break a limit: invalid, not a torn tag set."""
    return InvalidManifestInTagsError([Problem("", message)])


def _inflate(compressed: bytes) -> bytes:
    """zlib-inflate at most ``MAX_MANIFEST_BYTES`` + 1 bytes: a bomb is never inflated past the limit."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, MAX_MANIFEST_BYTES + 1)
    except zlib.error as exc:
        raise CorruptPayloadError(f"manifest parts are not valid zlib data: {exc}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise _over_limit(
            f"the manifest inflates to more than {MAX_MANIFEST_BYTES} bytes ({len(compressed)} bytes "
            f"compressed; decompression stopped at the limit); the limit is {MAX_MANIFEST_BYTES} bytes"
        )
    if not inflater.eof:
        raise CorruptPayloadError("manifest parts are not valid zlib data: the stream is truncated")
    if inflater.unused_data:
        raise CorruptPayloadError("manifest parts are not valid zlib data: bytes after the stream's end")
    return raw


def decode_manifest_tags(tags: Mapping[str, str], *, portability: bool = False) -> ToolManifest:
    """The manifest carried by ``tags``; raises a ``TagDecodeError`` subclass, never anything else.

    ``portability`` additionally runs the registered provider checks (the registrar does).
    """
    if not has_manifest_tags(tags):
        raise NoManifestTagsError("no agent-tool: manifest tags on this function")
    digest_value = tags.get(DIGEST_TAG)
    if digest_value is None:
        raise MissingTagError(f"missing {DIGEST_TAG} tag (partial tagging?)")
    m = _DIGEST_RE.match(digest_value if isinstance(digest_value, str) else "")
    if not m:
        raise MalformedTagError(
            f"{DIGEST_TAG} must look like '{FORMAT_VERSION}.<parts>.<sha256 hex>', got {digest_value!r}"
        )
    count, digest = int(m.group(1)), m.group(2)
    if count > MAX_PART_TAGS:
        raise _over_limit(f"the digest tag names {count} part tags; the limit is {MAX_PART_TAGS}")
    chunks: list[str] = []
    for i in range(count):
        key = f"{PART_TAG_PREFIX}{i:02d}"
        value = tags.get(key)
        if value is None:
            raise MissingTagError(f"missing manifest part {key} (expected {count} parts)")
        if not isinstance(value, str):
            raise MalformedTagError(f"{key} is not a string")
        if len(value) > TAG_VALUE_MAX:
            raise _over_limit(f"{key} is {len(value)} characters; a tag value holds at most {TAG_VALUE_MAX}")
        chunks.append(value)
    try:
        compressed = base64.b64decode("".join(chunks), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CorruptPayloadError(f"manifest parts are not valid base64: {exc}") from None
    raw = _inflate(compressed)
    if hashlib.sha256(raw).hexdigest() != digest:
        raise DigestMismatchError("manifest parts do not match the digest tag (partial or foreign parts)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptPayloadError(f"decoded manifest is not UTF-8 text: {exc}") from None
    depth = json_text_depth(text, len(text))  # linear in the (bounded) text, before any parsing
    if depth > MAX_SCHEMA_DEPTH + 1:  # the manifest object holds the schemas: one level more
        raise _over_limit(
            f"the manifest nests {depth} levels deep; a schema may nest at most {MAX_SCHEMA_DEPTH} "
            f"levels (so the manifest {MAX_SCHEMA_DEPTH + 1})"
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an integer of 4300+ digits
        raise CorruptPayloadError(f"decoded manifest is not JSON: {str(exc)[:200]}") from None
    try:
        manifest, _ = validate_manifest(data, portability=portability)
    except ManifestValidationError as exc:
        raise InvalidManifestInTagsError(exc.problems) from None
    for key, expected in ((NAME_TAG, manifest.name), (VERSION_TAG, manifest.version)):
        if key not in tags:
            raise MissingTagError(f"missing {key} tag")
        if tags[key] != expected:
            raise TagMismatchError(f"{key} is {tags[key]!r} but the manifest says {expected!r}")
    return manifest
