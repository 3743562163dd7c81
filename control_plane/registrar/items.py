"""Building registry items (plain dicts) for the registrar's plans.

Comparisons ignore bookkeeping (``rev``, write times): two items that differ only there are "the
same content", which is what makes a replayed event a no-op.
"""

from __future__ import annotations

from typing import Any

from control_plane.registrar.observe import Observation
from control_plane.registry.keys import (
    BINDING_SK,
    FUNCTION_LIVE,
    GSI_LANGUAGE,
    GSI_STATUS,
    GSI_TAG,
    GSI_UPDATED,
    LATEST_SK,
    OWNER_SK,
    PK,
    SK,
    TOOL_ACTIVE,
    binding_key,
    tag_sk,
    version_status_key,
)

__all__ = [
    "binding_item",
    "changed_fields",
    "disabled",
    "effective_status",
    "is_live",
    "latest_item",
    "needs_publish",
    "owner_item",
    "same_content",
    "tag_item",
    "version_item",
    "with_status",
]

# Bookkeeping that never makes two items "different".
_VOLATILE = {"rev", "updated_at", GSI_UPDATED, "observed_at", "claimed_at", "created_at", "history"}
# revision_id changes with any configuration update on AWS (memory, env vars…): it is recorded when
# the version's content is written, but on its own it does not cause a write.
_INFORMATIONAL = {"revision_id"}


def same_content(old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    if old is None or new is None:
        return old is new
    ignore = _VOLATILE | _INFORMATIONAL
    keys = (set(old) | set(new)) - ignore
    return all(old.get(k) == new.get(k) for k in keys)


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    ignore = _VOLATILE | {GSI_STATUS, PK, SK}
    return sorted(k for k in (set(old) | set(new)) - ignore if old.get(k) != new.get(k))


def is_live(item: dict[str, Any]) -> bool:
    """Whether a version item follows its function's manifest (not disabled by the registrar)."""
    return item.get("status_reason", "manifest") == "manifest"


# A deleted function's published versions are gone with it: a recreated function publishes anew.
_VERSIONS_GONE = {"function_deleted", "owner_deleted", "version_deleted"}


def needs_publish(obs: Observation, existing: dict[str, Any] | None) -> bool:
    """Whether registering ``obs`` needs a newly published Lambda version (else ``existing``'s)."""
    return not (
        existing is not None
        and existing.get("content_sha256") == obs.content_sha256
        and existing.get("lambda_version")
        and existing.get("function_arn") == obs.function_arn
        and existing.get("status_reason", "manifest") not in _VERSIONS_GONE
    )


def effective_status(item: dict[str, Any]) -> str:
    """Registrar-disabled beats an operator's decision (``lifecycle``), which beats the manifest."""
    if not is_live(item):
        return "disabled"
    lifecycle = item.get("lifecycle") or {}
    return str(lifecycle.get("status") or item.get("requested_status") or item.get("status") or "active")


def with_status(item: dict[str, Any], now: str) -> dict[str, Any]:
    """``item`` with its effective status (and status index key) recomputed."""
    status = effective_status(item)
    if item.get("status") == status and item.get(GSI_STATUS) == version_status_key(status):
        return item
    return {
        **item,
        "status": status,
        GSI_STATUS: version_status_key(status),
        "updated_at": now,
        GSI_UPDATED: now,
    }


def version_item(
    obs: Observation, owner_arn: str, existing: dict[str, Any] | None, now: str
) -> dict[str, Any]:
    """The version item for a serving observation (unchanged ``existing`` when content is equal).

    The item records the published Lambda version agents invoke (``lambda_arn`` is qualified) and,
    when the content is unchanged, keeps the one already published (duplicates publish nothing).
    """
    m = obs.manifest
    assert m is not None and obs.function_arn and obs.code_sha256 is not None
    if not needs_publish(obs, existing):
        assert existing is not None
        arn, number = existing.get("lambda_arn"), existing.get("lambda_version")
    else:
        published = obs.published
        assert published is not None, "a new or changed version needs its published Lambda version"
        arn, number = published.arn, published.version
    item: dict[str, Any] = {
        PK: m.name,
        **{k: v for k, v in m.model_dump(mode="json").items() if v is not None},
        SK: m.version,
        "lambda_arn": arn,
        "lambda_version": number,
        "function_arn": obs.function_arn,
        "lambda_function_name": obs.function_name,
        "code_sha256": obs.code_sha256,
        "config_digest": obs.config_digest,
        "configuration": obs.configuration,
        "revision_id": obs.revision_id,
        "owner": owner_arn,
        "manifest_sha256": obs.manifest_sha256,
        "content_sha256": obs.content_sha256,
        "requested_status": m.status,
        "status_reason": "manifest",
        "portability_warnings": obs.portability_warnings,
        "created_at": existing["created_at"] if existing else now,
        "updated_at": now,
        GSI_UPDATED: now,
    }
    for kept in ("lifecycle", "history"):
        if existing is not None and existing.get(kept):
            item[kept] = existing[kept]
    item["status"] = effective_status(item)
    item[GSI_STATUS] = version_status_key(item["status"])
    item = {k: v for k, v in item.items() if v is not None}
    if existing is not None and same_content(existing, item):
        return existing
    return item


def disabled(item: dict[str, Any], reason: str, now: str, superseded_by: str | None = None) -> dict[str, Any]:
    out = {
        **item,
        "status": "disabled",
        "status_reason": reason,
        "updated_at": now,
        GSI_STATUS: version_status_key("disabled"),
        GSI_UPDATED: now,
    }
    out.pop("superseded_by", None)
    if superseded_by:
        out["superseded_by"] = superseded_by
    return out


def latest_item(
    version: dict[str, Any] | None, existing: dict[str, Any] | None, now: str
) -> dict[str, Any] | None:
    """The latest pointer mirroring ``version`` (``existing`` when nothing but bookkeeping differs)."""
    if version is None:
        return None
    item = {k: v for k, v in version.items() if k not in ("rev", GSI_STATUS, GSI_UPDATED, "history")}
    item.update({SK: LATEST_SK, "resolved_version": version[SK], GSI_STATUS: TOOL_ACTIVE, GSI_UPDATED: now})
    if version.get("language"):
        item[GSI_LANGUAGE] = version["language"]
    if existing is not None and same_content(existing, item):
        return existing
    return item


def owner_item(tool_name: str, obs: Observation, now: str) -> dict[str, Any]:
    return {
        PK: tool_name,
        SK: OWNER_SK,
        "tool_name": tool_name,
        "owner_arn": obs.function_arn,
        "owner_function_name": obs.function_name,
        "claimed_at": now,
    }


def tag_item(tool_name: str, label: str) -> dict[str, Any]:
    return {PK: tool_name, SK: tag_sk(label), GSI_TAG: label}


def binding_item(
    function_name: str,
    function_arn: str,
    state: str,
    tools: set[str],
    current: tuple[str, str] | None,
    observed_at: str,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        **binding_key(function_name),
        "function_name": function_name,
        "function_arn": function_arn,
        "state": state,
        "tools": sorted(tools),
        "observed_at": observed_at,
        GSI_UPDATED: observed_at,
    }
    assert item[SK] == BINDING_SK
    if current:
        item["current_tool"], item["current_version"] = current
    if state != "deleted":
        item[GSI_STATUS] = FUNCTION_LIVE  # sparse: the reconciler re-checks only live functions
    return item
