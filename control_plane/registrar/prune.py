"""Pruning tool versions: delete the Lambda versions of disabled tool versions nobody can run.

A Lambda version is a candidate when every registry version that records it is ``disabled``, it
was disabled longer ago than ``older_than_days``, and no published version of any agent state
machine names its qualified ARN (agents pin tool versions in their definitions; an old agent version
can still be made live by a rollback). Deleting is explicit (``sfa tools prune --yes``); afterwards
the registry item is marked ``version_deleted`` so that nobody re-activates a version whose code is
gone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from control_plane.aws import call
from control_plane.errors import AwsResourceNotFoundError
from control_plane.registrar.items import disabled
from control_plane.registrar.plan import Cause, ToolPartition, partition_writes
from control_plane.registry.records import ToolRecord
from control_plane.registry.store import ToolRegistry

__all__ = ["PruneCandidate", "agent_referenced_arns", "delete_candidate", "prune_candidates"]


@dataclass(frozen=True)
class PruneCandidate:
    """A Lambda version to delete and the disabled tool versions that record it."""

    function_name: str
    lambda_version: str
    lambda_arn: str
    refs: tuple[str, ...]
    disabled_at: str


def agent_referenced_arns(sfn: Any, state_machine_arns: Iterable[str]) -> set[str]:
    """Every text in the agents' published definitions that names a Lambda function (qualified ARNs
    included): a candidate named anywhere there is kept."""
    found: set[str] = set()
    for machine in state_machine_arns:
        token: str | None = None
        while True:
            params: dict[str, Any] = {"stateMachineArn": machine}
            if token:
                params["nextToken"] = token
            try:
                page = call(sfn.list_state_machine_versions, **params)
            except AwsResourceNotFoundError:
                break
            for version in page.get("stateMachineVersions") or []:
                definition = call(
                    sfn.describe_state_machine, stateMachineArn=version["stateMachineVersionArn"]
                )
                found.add(str(definition.get("definition", "")))
            token = page.get("nextToken")
            if not token:
                break
    return found


def prune_candidates(
    registry: ToolRegistry, definitions: set[str], *, older_than_days: float, now: datetime | None = None
) -> list[PruneCandidate]:
    """Lambda versions of disabled tool versions that no agent definition names (see module doc)."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    disabled_records = registry.list(status="disabled")
    by_arn: dict[str, list[ToolRecord]] = {}
    for name in sorted({r.name for r in disabled_records}):
        for record in registry.history(name, consistent=True):
            if record.lambda_version:
                by_arn.setdefault(record.lambda_arn, []).append(record)
    out: list[PruneCandidate] = []
    for arn, records in sorted(by_arn.items()):
        if any(r.status != "disabled" for r in records):
            continue  # another (usable) tool version runs the same Lambda version
        if any(r.status_reason in ("function_deleted", "owner_deleted", "version_deleted") for r in records):
            continue  # already gone with its function, or pruned
        newest = max(r.updated_at for r in records)
        if _parse(newest) > cutoff or any(f'"{arn}"' in text for text in definitions):
            continue
        first = records[0]
        out.append(
            PruneCandidate(
                function_name=first.lambda_function_name,
                lambda_version=str(first.lambda_version),
                lambda_arn=arn,
                refs=tuple(r.ref for r in records),
                disabled_at=newest,
            )
        )
    return out


def delete_candidate(
    registry: ToolRegistry, lambda_client: Any, candidate: PruneCandidate, *, actor: str, now: str
) -> None:
    """Delete the Lambda version, then mark its registry items ``version_deleted``."""
    with contextlib.suppress(AwsResourceNotFoundError):  # already deleted: still mark the items
        call(
            lambda_client.delete_function,
            FunctionName=candidate.function_name,
            Qualifier=candidate.lambda_version,
        )
    cause = Cause(trigger="sfa tools prune", actor=actor, reason="Lambda version deleted by prune")
    for name in sorted({ref.split("@", 1)[0] for ref in candidate.refs}):
        part = ToolPartition(name, registry.partition(name))
        for ref in candidate.refs:
            version = ref.split("@", 1)[1]
            if ref.startswith(f"{name}@") and version in part.versions:
                part.versions[version] = disabled(part.versions[version], "version_deleted", now)
        writes, _ = partition_writes({name: part}, {name: part.owner}, now, cause)
        registry.transact(writes)


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
