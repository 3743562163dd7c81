"""``ToolManifest``: what a tool says about itself (docs/design.md §2), and loading it from files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from tool_sdk.errors import ManifestLoadError, ManifestValidationError, Problem
from tool_sdk.limits import MAX_DESCRIPTION_CHARS, MAX_MANIFEST_BYTES
from tool_sdk.metaschema import schema_problems
from tool_sdk.portability import PortabilityReport, check_portability
from tool_sdk.semver import SEMVER_PATTERN

__all__ = [
    "LABEL_PATTERN",
    "NAME_PATTERN",
    "TOOL_VERSION_PATTERN",
    "ToolManifest",
    "ToolStatus",
    "load_manifest",
    "load_manifest_data",
    "validate_manifest",
]

NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
# Lowercase labels: what DNS-ish labels look like; the same rule for `tags` and `language`.
LABEL_PATTERN = r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$"
SECRET_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"

_NAME_RE = re.compile(NAME_PATTERN)
_SEMVER_RE = re.compile(SEMVER_PATTERN)
_BUILD_METADATA = r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
# SemVer without build metadata: SemVer ignores it when comparing, so it could not tell versions apart.
TOOL_VERSION_PATTERN = SEMVER_PATTERN.removesuffix(_BUILD_METADATA) + "$"
assert TOOL_VERSION_PATTERN != SEMVER_PATTERN + "$"

ToolStatus = Literal["active", "deprecated", "disabled"]


def _check_json_schema(value: Any) -> dict[str, Any]:
    problems = schema_problems(value)
    if problems:
        raise PydanticCustomError(
            "invalid_json_schema",
            "not a valid tool JSON Schema: {summary}",
            {
                "summary": "; ".join(f"{p or '<root>'}: {m}" for p, m in problems),
                "problems": problems,
            },
        )
    return value


class ToolManifest(BaseModel):
    """A tool's self-description, carried in its Lambda tags.

    ``input_schema`` is what the LLM sees; it must be a valid JSON Schema (draft 2020-12) whose root
    is an object. Unknown fields are rejected so that typos do not pass silently.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(
        description="The tool name the LLM sees: 1-64 of [a-zA-Z0-9_-].",
        json_schema_extra={"pattern": NAME_PATTERN},
    )
    version: str = Field(
        description="SemVer 2.0.0 version without build metadata, e.g. 1.2.3 or 2.0.0-rc.1.",
        json_schema_extra={"pattern": TOOL_VERSION_PATTERN},
    )
    description: str = Field(
        min_length=1, max_length=MAX_DESCRIPTION_CHARS, description="What the tool does."
    )
    input_schema: dict[str, Any] = Field(description="JSON Schema (2020-12) of the tool input.")
    output_schema: dict[str, Any] | None = Field(default=None, description="JSON Schema of output.")
    language: str | None = Field(
        default=None, pattern=LABEL_PATTERN, description="Implementation language, e.g. python."
    )
    tags: list[str] = Field(default_factory=list, max_length=20, description="Lowercase labels.")
    author: str | None = Field(default=None, min_length=1, max_length=256)
    human_approval_required: bool = Field(
        default=False, description="Calls wait for a human approval (task token)."
    )
    status: ToolStatus = Field(default="active", description="Requested lifecycle status.")
    secrets: list[str] = Field(default_factory=list, max_length=20, description="Secret names under tier 2.")
    timeout_seconds: int | None = Field(default=None, ge=1, le=900)

    @field_validator("name", mode="after")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise PydanticCustomError(
                "tool_name",
                "{value} is not a valid tool name: use 1-64 letters, digits, '_' or '-'",
                {"value": repr(value)},
            )
        return value

    @field_validator("version", mode="after")
    @classmethod
    def _valid_version(cls, value: str) -> str:
        if not _SEMVER_RE.match(value):
            raise PydanticCustomError(
                "semver",
                "{value} is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. 1.2.0)",
                {"value": repr(value[:80])},
            )
        if "+" in value:
            raise PydanticCustomError(
                "semver_build",
                "{value}: build metadata (+…) is not allowed in tool versions: SemVer ignores it when "
                "comparing, so {core} and {value} would be one version to pins, ranges and latest",
                {"value": repr(value[:80]), "core": value.split("+")[0]},
            )
        return value

    @field_validator("input_schema", "output_schema", mode="after")
    @classmethod
    def _valid_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else _check_json_schema(value)

    @field_validator("tags", mode="after")
    @classmethod
    def _valid_tags(cls, value: list[str]) -> list[str]:
        return _unique_matching(value, LABEL_PATTERN, "a lowercase label (a-z, 0-9, '.', '_', '-')")

    @field_validator("secrets", mode="after")
    @classmethod
    def _valid_secrets(cls, value: list[str]) -> list[str]:
        return _unique_matching(value, SECRET_NAME_PATTERN, "a secret name ([A-Za-z0-9_.-])")

    @model_validator(mode="after")
    def _within_size_limit(self) -> ToolManifest:
        try:
            size = len(_canonical_text(self).encode("utf-8"))
        except UnicodeEncodeError:
            raise PydanticCustomError(
                "not_unicode", "contains text that is not valid Unicode (a lone UTF-16 surrogate)"
            ) from None
        if size > MAX_MANIFEST_BYTES:
            raise PydanticCustomError(
                "manifest_too_large",
                "the manifest is {size} bytes as canonical JSON; the limit is {limit} bytes "
                "(shorten descriptions or the schemas)",
                {"size": size, "limit": MAX_MANIFEST_BYTES},
            )
        return self

    def canonical_dict(self) -> dict[str, Any]:
        """The manifest as plain JSON data without defaulted fields: the form that is hashed."""
        return self.model_dump(mode="json", exclude_defaults=True)


def _canonical_text(manifest: ToolManifest) -> str:
    return json.dumps(manifest.canonical_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _unique_matching(values: list[str], pattern: str, what: str) -> list[str]:
    rx = re.compile(pattern)
    seen: set[str] = set()
    for index, item in enumerate(values):
        if not rx.match(item):
            raise PydanticCustomError(
                "label",
                "item {index} ({item}) is not {what}",
                {"index": index, "item": repr(item), "what": what},
            )
        if item in seen:
            raise PydanticCustomError("duplicate", "duplicate entry {item}", {"item": repr(item)})
        seen.add(item)
    return values


def problems_from_validation_error(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        base = ".".join(str(p) for p in err["loc"])
        sub = (err.get("ctx") or {}).get("problems")
        if err["type"] == "invalid_json_schema" and sub:
            problems.extend(Problem(".".join(filter(None, [base, p])), m) for p, m in sub)
        else:
            problems.append(Problem(base, err["msg"]))
    return problems


def validate_manifest(data: Any, *, portability: bool = True) -> tuple[ToolManifest, PortabilityReport]:
    """Validate raw manifest data; returns the manifest and its provider-portability report.

    Raises ``ManifestValidationError`` listing every problem by field path. With ``portability``,
    a schema that no registered LLM provider accepts is a problem too (docs/design.md §2).
    """
    if not isinstance(data, dict):
        raise ManifestValidationError([Problem("", "a manifest must be a mapping of fields")])
    try:
        manifest = ToolManifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestValidationError(problems_from_validation_error(exc)) from None
    report = (
        check_portability(manifest.input_schema, description=manifest.description)
        if portability
        else PortabilityReport()
    )
    if not report.portable_anywhere:
        raise ManifestValidationError(
            [Problem("input_schema", f"no LLM provider accepts it: {report.rejection_summary()}")]
        )
    return manifest, report


def load_manifest_data(path: str | Path) -> Any:
    """Read a manifest file (``.json``, or YAML for anything else) into plain data."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestLoadError(f"cannot read manifest {p}: {exc.strerror or exc}") from None
    try:
        return json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except RecursionError:
        raise ManifestLoadError(f"{p} nests too deeply to be a tool manifest") from None
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ManifestLoadError(
            f"{p} is not valid {'JSON' if p.suffix == '.json' else 'YAML'}: {exc}"
        ) from None


def load_manifest(path: str | Path, *, portability: bool = True) -> ToolManifest:
    """Load and validate a manifest file; raises ``ManifestLoadError``/``ManifestValidationError``."""
    return validate_manifest(load_manifest_data(path), portability=portability)[0]
