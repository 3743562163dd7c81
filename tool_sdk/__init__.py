"""tool_sdk: what tool authors and the control plane share — the manifest, its tag codec, SemVer.

Light on purpose (docs/design.md §10): it runs inside users' tool Lambdas, so importing it pulls in only
pydantic, jsonschema and PyYAML.
"""

from tool_sdk.errors import (
    CorruptPayloadError,
    DigestMismatchError,
    InvalidManifestInTagsError,
    MalformedTagError,
    ManifestError,
    ManifestLoadError,
    ManifestTooLargeError,
    ManifestValidationError,
    MissingTagError,
    NoManifestTagsError,
    Problem,
    SfaError,
    TagCodecError,
    TagDecodeError,
    TagMismatchError,
)
from tool_sdk.manifest import ToolManifest, ToolStatus, load_manifest, validate_manifest
from tool_sdk.portability import (
    PortabilityReport,
    SchemaVerdict,
    check_portability,
    register_schema_checker,
)
from tool_sdk.schema import manifest_json_schema
from tool_sdk.semver import SemVer, SemVerRange, max_satisfying
from tool_sdk.tags import (
    TAG_PREFIX,
    canonical_manifest_json,
    decode_manifest_tags,
    encode_manifest_tags,
    has_manifest_tags,
    is_valid_aws_tag,
    manifest_sha256,
)

__all__ = [
    "TAG_PREFIX",
    "CorruptPayloadError",
    "DigestMismatchError",
    "InvalidManifestInTagsError",
    "MalformedTagError",
    "ManifestError",
    "ManifestLoadError",
    "ManifestTooLargeError",
    "ManifestValidationError",
    "MissingTagError",
    "NoManifestTagsError",
    "PortabilityReport",
    "Problem",
    "SchemaVerdict",
    "SemVer",
    "SemVerRange",
    "SfaError",
    "TagCodecError",
    "TagDecodeError",
    "TagMismatchError",
    "ToolManifest",
    "ToolStatus",
    "canonical_manifest_json",
    "check_portability",
    "decode_manifest_tags",
    "encode_manifest_tags",
    "has_manifest_tags",
    "is_valid_aws_tag",
    "load_manifest",
    "manifest_json_schema",
    "manifest_sha256",
    "max_satisfying",
    "register_schema_checker",
    "validate_manifest",
]
