"""Which change events a plan publishes, from the before/after of each version item.

* new item, or a registrar-disabled item that follows its manifest again → ``ToolRegistered``
* an item following its manifest that the registrar disables → ``ToolDeregistered`` (with reason)
* an item following its manifest whose content or requested status changed → ``ToolUpdated``

Latest pointers, owner, tag and binding items produce no events of their own; each event carries
the tool's ``latest_version`` after the change.
"""

from __future__ import annotations

from typing import Any

from control_plane.events.models import RegistryEventDetail, ToolDeregistered, ToolRegistered, ToolUpdated
from control_plane.registrar.items import changed_fields, is_live, same_content
from control_plane.registry.keys import SK
from tool_sdk.semver import SemVer, is_semver

__all__ = ["version_events"]


def version_events(
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    latest_version: str | None,
    now: str,
    trigger: str | None,
) -> list[RegistryEventDetail]:
    events: list[RegistryEventDetail] = []
    for sk in sorted((k for k in after if is_semver(k)), key=SemVer.parse):
        old, new = before.get(sk), after[sk]
        if old is new or (old is not None and same_content(old, new)):
            continue
        common = {
            "occurred_at": now,
            "tool_name": new["name"],
            "version": new[SK],
            "lambda_arn": new["lambda_arn"],
            "lambda_function_name": new["lambda_function_name"],
            "latest_version": latest_version,
            "trigger": trigger,
        }
        if is_live(new):
            body = {
                **common,
                "status": new["status"],
                "owner": new["owner"],
                "code_sha256": new["code_sha256"],
                "manifest_sha256": new["manifest_sha256"],
                "revision_id": new.get("revision_id"),
                "language": new.get("language"),
                "tags": new.get("tags", []),
                "human_approval_required": new.get("human_approval_required", False),
                "portability_warnings": new.get("portability_warnings", {}),
            }
            if old is None or not is_live(old):
                events.append(ToolRegistered(**body))
            else:
                events.append(
                    ToolUpdated(
                        **body, previous_status=old["status"], changed_fields=changed_fields(old, new)
                    )
                )
        elif old is not None and is_live(old):
            events.append(
                ToolDeregistered(
                    **common, reason=new["status_reason"], superseded_by=new.get("superseded_by")
                )
            )
    return events
