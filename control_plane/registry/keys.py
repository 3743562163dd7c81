"""Key layout of ``ToolRegistry-{env}`` (docs/design.md §4): item kinds, sort keys, index attributes.

One table, PK ``tool_name`` / SK ``version``, five item kinds:

=============  ==========================  ===================  ==========================================
kind           ``tool_name``               ``version``          purpose
=============  ==========================  ===================  ==========================================
version        ``convert_units``           ``1.2.0``            manifest fields + derived fields
latest         ``convert_units``           ``latest``           mirror of the highest active version
owner          ``convert_units``           ``owner``            which function owns the name
tag            ``convert_units``           ``tag#travel``       one per label of the latest version
binding        ``function#tool-x-dev``     ``binding``          what one Lambda function registered
=============  ==========================  ===================  ==========================================

Tool names match ``^[a-zA-Z0-9_-]{1,64}$`` and versions are SemVer (they start with a digit), so no
tool name can collide with ``function#…`` and no version with ``latest``/``owner``/``tag#…``/``binding``;
versions sort below ``:`` (digits < ``:`` < letters), which lets a Query select exactly the version
items of a tool with ``version < ":"``.
"""

from __future__ import annotations

__all__ = [
    "BINDING_SK",
    "BY_LANGUAGE_INDEX",
    "BY_STATUS_INDEX",
    "BY_TAG_INDEX",
    "FUNCTION_LIVE",
    "FUNCTION_PK_PREFIX",
    "GSI_LANGUAGE",
    "GSI_STATUS",
    "GSI_TAG",
    "GSI_UPDATED",
    "LATEST_SK",
    "OWNER_SK",
    "PK",
    "SK",
    "TAG_SK_PREFIX",
    "TOOL_ACTIVE",
    "VERSION_SK_UPPER_BOUND",
    "binding_key",
    "function_pk",
    "tag_sk",
    "version_status_key",
]

PK = "tool_name"
SK = "version"
LATEST_SK = "latest"
OWNER_SK = "owner"
BINDING_SK = "binding"
TAG_SK_PREFIX = "tag#"
FUNCTION_PK_PREFIX = "function#"
VERSION_SK_UPPER_BOUND = ":"

# Index attributes are written only on the item kinds an index serves (sparse indexes).
GSI_LANGUAGE = "gsi_language"  # latest pointers with a language
GSI_TAG = "gsi_tag"  # tag items
GSI_STATUS = "gsi_status"  # latest pointers, version items, live function bindings
GSI_UPDATED = "gsi_updated"

BY_LANGUAGE_INDEX = "by-language"
BY_TAG_INDEX = "by-tag"
BY_STATUS_INDEX = "by-status"

TOOL_ACTIVE = "tool#active"  # gsi_status of latest pointers: one per tool with an active version
FUNCTION_LIVE = "function#live"  # gsi_status of bindings of functions not known to be deleted


def version_status_key(status: str) -> str:
    """``gsi_status`` of a version item with effective ``status``."""
    return f"version#{status}"


def tag_sk(label: str) -> str:
    return f"{TAG_SK_PREFIX}{label}"


def function_pk(function_name: str) -> str:
    return f"{FUNCTION_PK_PREFIX}{function_name}"


def binding_key(function_name: str) -> dict[str, str]:
    return {PK: function_pk(function_name), SK: BINDING_SK}
