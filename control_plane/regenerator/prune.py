"""Pruning an agent's old state-machine versions: Step Functions keeps at most 1,000 per machine.

Every rollout publishes a version, so without pruning an agent stops deploying after 1,000 of them.
After a successful rollout :class:`VersionPruner` deletes every version beyond the newest
``versions_kept`` (``SFA_AGENT_VERSIONS_KEPT``), except the version ``live`` routes to and the one it
routed to before (``previous_version_arn``: an immediate rollback must stay possible). A version
another alias routes to cannot be deleted (``ConflictException``): it is skipped, and deleted by a
later prune once no alias needs it.

The regenerator prunes after committing the rollout, outside the agent's lease. A rollout that runs
meanwhile is safe: its version is the newest, so it is kept, the version it replaced is this
rollout's (protected here), and whatever ``live`` routes to cannot be deleted (``ConflictException``).

Version numbers only grow (Step Functions never reuses one), so a machine whose newest version is
number ≤ ``versions_kept`` cannot hold more than that: :func:`needs_pruning` says so without listing,
which keeps the usual rollout at its two Step Functions calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from control_plane.aws import call
from control_plane.errors import AwsError

__all__ = ["PruneResult", "VersionPruner", "needs_pruning", "version_number"]

_PAGE = 1000  # ListStateMachineVersions' largest page
_IN_USE_CODES = {"ConflictException"}


@dataclass(frozen=True)
class PruneResult:
    """Versions deleted, and versions kept only because an alias still routes to them."""

    deleted: tuple[str, ...] = ()
    in_use: tuple[str, ...] = ()


def version_number(version_arn: str | None) -> int | None:
    """``…:stateMachine:agent-x-dev:42`` → 42; None for anything that is not a version ARN."""
    if not version_arn:
        return None
    tail = version_arn.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def needs_pruning(newest_version_arn: str | None, versions_kept: int) -> bool:
    """Whether versions beyond the newest ``versions_kept`` may exist (unknown number: list to see)."""
    number = version_number(newest_version_arn)
    return number is None or number > versions_kept


class VersionPruner:
    """Deletes old versions of one state machine, through an injected ``stepfunctions`` client."""

    def __init__(self, sfn: Any, versions_kept: int) -> None:
        if versions_kept < 1:
            raise ValueError("versions_kept must be at least 1")
        self.sfn = sfn
        self.versions_kept = versions_kept

    def prune(self, state_machine_arn: str, protected: Iterable[str | None]) -> PruneResult:
        """Delete the versions of ``state_machine_arn`` beyond the newest ``versions_kept``, never
        one of ``protected``. Raises the mapped AWS error of a failed list or delete (the versions
        deleted before it stay deleted; the next prune continues)."""
        keep = {arn for arn in protected if arn}
        versions = sorted(self._versions(state_machine_arn), key=_newest_first)
        deleted: list[str] = []
        in_use: list[str] = []
        for arn in versions[self.versions_kept :]:
            if arn in keep:
                continue
            try:
                call(self.sfn.delete_state_machine_version, stateMachineVersionArn=arn)
            except AwsError as exc:
                if exc.code not in _IN_USE_CODES:
                    raise
                in_use.append(arn)  # an alias routes to it (or a publish raced us): next time
                continue
            deleted.append(arn)
        return PruneResult(tuple(deleted), tuple(in_use))

    def _versions(self, state_machine_arn: str) -> list[str]:
        arns: list[str] = []
        params: dict[str, Any] = {"stateMachineArn": state_machine_arn, "maxResults": _PAGE}
        while True:
            page = call(self.sfn.list_state_machine_versions, **params)
            arns += [v["stateMachineVersionArn"] for v in page.get("stateMachineVersions") or []]
            token = page.get("nextToken")
            if not token:
                return arns
            params["nextToken"] = token


def _newest_first(arn: str) -> int:
    # by number, not by list order: numbers are what "newer" means (and never reused)
    return -(version_number(arn) or 0)
