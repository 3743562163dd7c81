"""The error hierarchy of sfn-agents.

``SfaError`` is the root every package of the project derives its own errors from, so callers can
catch one type. ``tool_sdk`` is at the bottom of the dependency graph (docs/design.md §10), which is why the
root lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ContentError",
    "ContentIntegrityError",
    "ContentNotFoundError",
    "CorruptPayloadError",
    "DigestMismatchError",
    "InvalidManifestInTagsError",
    "InvalidReferenceError",
    "MalformedTagError",
    "ManifestError",
    "ManifestLoadError",
    "ManifestTooLargeError",
    "ManifestValidationError",
    "MissingTagError",
    "NoManifestTagsError",
    "Problem",
    "SfaError",
    "TagCodecError",
    "TagDecodeError",
    "TagMismatchError",
]


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem: a dotted field path (``input_schema.properties.q.type``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.message}"


class SfaError(Exception):
    """Base class of every error raised by sfn-agents."""


class ManifestError(SfaError):
    """Base class of errors about a tool manifest."""


class ManifestLoadError(ManifestError):
    """Raised when a manifest file cannot be read or parsed as YAML/JSON."""


class ManifestValidationError(ManifestError):
    """Raised when a manifest is readable but invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        summary = "; ".join(str(p) for p in self.problems)
        super().__init__(f"invalid tool manifest ({len(self.problems)} problem(s)): {summary}")


class TagCodecError(SfaError):
    """Base class of errors of the manifest ↔ Lambda tags codec."""


class ManifestTooLargeError(TagCodecError):
    """Raised at encode time when the compressed manifest does not fit the tag budget."""

    def __init__(self, *, encoded_chars: int, budget_chars: int, parts_needed: int, max_parts: int):
        self.encoded_chars = encoded_chars
        self.budget_chars = budget_chars
        self.parts_needed = parts_needed
        self.max_parts = max_parts
        super().__init__(
            f"manifest too large for Lambda tags: it encodes to {encoded_chars} characters "
            f"({parts_needed} part tags) but the budget is {budget_chars} characters "
            f"({max_parts} part tags of 256); shorten descriptions or the input schema"
        )


class TagDecodeError(TagCodecError):
    """Base class of errors raised when Lambda tags do not decode to a valid manifest."""


class NoManifestTagsError(TagDecodeError):
    """Raised when a tag set carries no ``agent-tool:`` manifest at all (the function is no tool)."""


class MissingTagError(TagDecodeError):
    """Raised when a required tag (digest, name, version or a numbered part) is absent."""


class MalformedTagError(TagDecodeError):
    """Raised when a manifest tag has an unparseable value (e.g. a digest tag of the wrong form)."""


class DigestMismatchError(TagDecodeError):
    """Raised when the reassembled manifest does not match the digest tag (partial/foreign parts)."""


class CorruptPayloadError(TagDecodeError):
    """Raised when the parts are not valid base64, zlib or JSON."""


class TagMismatchError(TagDecodeError):
    """Raised when the readable name/version tags disagree with the encoded manifest."""


class InvalidManifestInTagsError(TagDecodeError):
    """Raised when the tags decode intact but the manifest inside is invalid."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        summary = "; ".join(str(p) for p in self.problems)
        super().__init__(f"manifest in tags is invalid: {summary}")


class ContentError(SfaError):
    """Base class of errors of the content store (large payloads offloaded to S3 by reference)."""


class InvalidReferenceError(ContentError):
    """Raised when a ``{"$ref": ...}`` value is malformed or points outside the platform's content
    bucket and prefix (references are never followed anywhere else)."""


class ContentIntegrityError(ContentError):
    """Raised when an object read through a reference does not match the reference's ``sha256`` or
    ``bytes`` (tampered or truncated content is never used)."""


class ContentNotFoundError(ContentError):
    """Raised when a reference's object does not exist (expired by the bucket's lifecycle rule, or
    never written)."""
