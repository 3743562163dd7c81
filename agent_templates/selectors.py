"""Tool selectors of an agent spec: ``name``, ``name@range`` (SemVer range) and ``tag:label``.

In YAML a selector is a string (``web_scraper@^1.2``, ``convert_units``, ``tag:finance``) or a
mapping (``{name: web_scraper, version: "^1.2"}``, ``{tag: finance}``); it serializes back to the
string form, which is what the agent registry stores.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from tool_sdk.manifest import LABEL_PATTERN, NAME_PATTERN
from tool_sdk.semver import SemVer, SemVerRange

__all__ = ["ToolSelector", "parse_selector"]

_NAME_RE = re.compile(NAME_PATTERN)
_LABEL_RE = re.compile(LABEL_PATTERN)
_TAG_PREFIX = "tag:"


def _invalid(text: Any, why: str) -> PydanticCustomError:
    return PydanticCustomError(
        "tool_selector",
        "{text} is not a tool selector: {why} (use name, name@range such as web_scraper@^1.2, or tag:label)",
        {"text": repr(text), "why": why},
    )


class ToolSelector(BaseModel):
    """One entry of an agent's ``tools`` list.

    Exactly one of ``name`` (with an optional SemVer ``version_range``; none means any release) or
    ``tag`` is set. Build one with :func:`parse_selector` or pydantic validation of a string.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    version_range: str | None = None
    tag: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, ToolSelector):
            return data
        if isinstance(data, str):
            return _fields_from_text(data)
        if isinstance(data, dict):
            return _fields_from_mapping(data)
        raise _invalid(data, "expected a string or a mapping")

    @property
    def is_tag(self) -> bool:
        return self.tag is not None

    @property
    def range(self) -> SemVerRange:
        """The version range of a name selector (``*`` when none was given)."""
        return SemVerRange.parse(self.version_range or "*")

    def accepts(self, name: str, version: str, tags: tuple[str, ...] | list[str]) -> bool:
        """Whether a tool version (name, SemVer version, tags) is selected by this selector."""
        if self.tag is not None:
            return self.tag in tags and not SemVer.parse(version).prerelease
        return name == self.name and self.range.contains(version)

    def __str__(self) -> str:
        if self.tag is not None:
            return f"{_TAG_PREFIX}{self.tag}"
        return f"{self.name}@{self.version_range}" if self.version_range else str(self.name)

    @model_serializer
    def _as_text(self) -> str:
        return str(self)


def parse_selector(text: str) -> ToolSelector:
    """Parse ``name``, ``name@range`` or ``tag:label``; raises pydantic ``ValidationError``."""
    return ToolSelector.model_validate(text)


def _fields_from_text(text: str) -> dict[str, Any]:
    raw = text.strip()
    if raw.startswith(_TAG_PREFIX):
        return {"tag": _check_label(text, raw[len(_TAG_PREFIX) :].strip())}
    name, sep, rng = raw.partition("@")
    name = name.strip()
    if sep and not rng.strip():
        raise _invalid(text, "the version range after '@' is empty")
    return {"name": _check_name(text, name), "version_range": _check_range(text, rng) if sep else None}


def _fields_from_mapping(data: dict[str, Any]) -> dict[str, Any]:
    keys = set(data)
    if keys == {"tag"} and isinstance(data["tag"], str):
        return {"tag": _check_label(data, data["tag"].strip())}
    if keys in ({"name"}, {"name", "version"}) and isinstance(data["name"], str):
        version = data.get("version")
        if version is not None and not isinstance(version, str):
            raise _invalid(data, "version must be a string range such as '^1.2'")
        checked = _check_range(data, version) if version is not None else None
        return {"name": _check_name(data, data["name"].strip()), "version_range": checked}
    if {"name", "version_range", "tag"} >= keys:  # the model's own field names
        if data.get("tag") is not None and data.get("name") is None and data.get("version_range") is None:
            return {"tag": _check_label(data, str(data["tag"]).strip())}
        if data.get("name") is not None and data.get("tag") is None:
            rng = data.get("version_range")
            checked = _check_range(data, str(rng)) if rng is not None else None
            return {"name": _check_name(data, str(data["name"]).strip()), "version_range": checked}
    raise _invalid(data, "a mapping needs 'tag', or 'name' and an optional 'version'")


def _check_name(text: Any, name: str) -> str:
    if not _NAME_RE.match(name):
        raise _invalid(text, f"{name!r} is not a tool name (1-64 letters, digits, '_' or '-')")
    return name


def _check_label(text: Any, label: str) -> str:
    if not _LABEL_RE.match(label):
        raise _invalid(text, f"{label!r} is not a lowercase tag label")
    return label


def _check_range(text: Any, rng: str) -> str:
    rng = rng.strip()
    try:
        SemVerRange.parse(rng)
    except ValueError as exc:
        raise _invalid(text, f"{rng!r} is not a SemVer range ({exc})") from None
    return rng
