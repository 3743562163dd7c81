"""``AgentRegistry``: typed access to ``AgentRegistry-{env}`` — spec writes, reads, index lookups.

``apply`` and ``delete`` write the spec and keep the selector index and the directory in step, in
one transaction when it fits (≤100 actions), else in a safe order (index additions first, removals
last: a stale extra entry only costs a no-op regeneration, a missing one would lose an update). The
regenerator's derived-state writes (lease, commit, removal) are in :mod:`control_plane.agents.state`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agent_templates import AgentSpec, validate_agent_spec
from control_plane.agents.dynamo import batch_get, set_update, update_expression
from control_plane.agents.errors import AgentConflictError, AgentNotFoundError, AgentWaitTimeoutError
from control_plane.agents.keys import AGENTS_ATTR, DIRECTORY_KEY, KIND_AGENT, PK, index_entries
from control_plane.agents.records import AgentRecord
from control_plane.agents.state import DerivedStateWrites
from control_plane.aws import call, client_or_default
from control_plane.config import ControlPlaneConfig
from control_plane.errors import ConditionFailedError
from control_plane.registry.codec import from_attribute_map, to_attribute_map, to_attribute_value

__all__ = ["AgentRegistry", "ApplyResult", "iso_now"]

_MAX_TRANSACTION = 100


def iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ApplyResult:
    """What ``apply`` did: the agent as stored, and whether the spec changed (a write happened)."""

    record: AgentRecord
    changed: bool


class AgentRegistry(DerivedStateWrites):
    """Typed access to ``AgentRegistry-{env}``; ``client`` is a low-level ``dynamodb`` client."""

    def __init__(
        self, table_name: str, client: Any | None = None, *, clock: Callable[[], str] = iso_now
    ) -> None:
        self.table_name = table_name
        self._client = client
        self._clock = clock

    @classmethod
    def from_config(cls, config: ControlPlaneConfig, client: Any | None = None) -> AgentRegistry:
        return cls(config.agent_table, client)

    @property
    def client(self) -> Any:
        self._client = client_or_default("dynamodb", self._client)
        return self._client

    # -- reads -------------------------------------------------------------------------------------

    def get_item(self, key: str, *, consistent: bool = True) -> dict[str, Any] | None:
        response = call(
            self.client.get_item,
            TableName=self.table_name,
            Key=to_attribute_map({PK: key}),
            ConsistentRead=consistent,
        )
        item = response.get("Item")
        return from_attribute_map(item) if item else None

    def get(self, name: str, *, consistent: bool = True) -> AgentRecord | None:
        """The agent ``name`` (deleting ones included), or ``None``."""
        item = self.get_item(name, consistent=consistent)
        return AgentRecord.from_item(item) if item and item.get("kind") == KIND_AGENT else None

    def require(self, name: str) -> AgentRecord:
        """Like :meth:`get`, but a missing agent (or one being deleted) raises ``AgentNotFoundError``."""
        record = self.get(name)
        if record is None or record.desired == "deleted":
            raise AgentNotFoundError(name)
        return record

    def batch(self, names: Iterable[str]) -> dict[str, AgentRecord]:
        """Agents by name (strongly consistent ``BatchGetItem``); missing names are left out."""
        items = batch_get(self.client, self.table_name, list(names))
        return {i[PK]: AgentRecord.from_item(i) for i in items if i.get("kind") == KIND_AGENT}

    def names(self) -> list[str]:
        item = self.get_item(DIRECTORY_KEY)
        return sorted(item.get(AGENTS_ATTR, [])) if item else []

    def list(self) -> list[AgentRecord]:
        """Every agent (deleting ones included), by name: the directory item, then one batch read."""
        found = self.batch(self.names())
        return [found[n] for n in sorted(found)]

    def lookup(self, keys: Iterable[str]) -> dict[str, set[str]]:
        """Selector-index entries: key → set of elements (``agent@range`` or ``agent``)."""
        keys = list(keys)
        if not keys:
            return {}
        return {i[PK]: set(i.get(AGENTS_ATTR, [])) for i in batch_get(self.client, self.table_name, keys)}

    def wait(
        self, name: str, *, timeout: float = 60.0, deleted: bool = False, poll: float = 0.25
    ) -> AgentRecord | None:
        """Wait until the regenerator handled the current spec (``settled``), or removed the agent
        (``deleted=True``: returns ``None``); raises ``AgentWaitTimeoutError``."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.get(name)
            if deleted and record is None:
                return None
            if not deleted and record is not None and record.settled:
                return record
            if time.monotonic() > deadline:
                raise AgentWaitTimeoutError(
                    f"agent {name!r} was not handled within {timeout:g} s: is the regenerator deployed?"
                )
            time.sleep(poll)

    # -- spec writes --------------------------------------------------------------------------------

    def apply(self, spec: AgentSpec, *, force: bool = False, max_attempts: int = 5) -> ApplyResult:
        """Write ``spec`` (a new generation) unless it equals the stored one; ``force`` always writes
        (to re-render after a failure without changing the spec)."""
        for _ in range(max_attempts):
            raw = self.get_item(spec.name)
            current = AgentRecord.from_item(raw) if raw and raw.get("kind") == KIND_AGENT else None
            sha = spec.sha256()
            if current and current.desired == "present" and current.spec_sha256 == sha and not force:
                return ApplyResult(current, changed=False)
            old = index_entries(current.agent_spec()) if current and current.desired == "present" else {}
            try:
                self._write_spec(spec, current, old, index_entries(spec))
            except ConditionFailedError:
                continue
            record = self.get(spec.name)
            assert record is not None
            return ApplyResult(record, changed=True)
        raise AgentConflictError(f"agent {spec.name!r} kept changing concurrently; apply it again")

    def delete(self, name: str, *, max_attempts: int = 5) -> AgentRecord:
        """Mark the agent deleted (the regenerator tears its resources down, then removes the item);
        its index entries go now, so no tool change regenerates it any more."""
        for _ in range(max_attempts):
            current = self.require(name)
            now = self._clock()
            values = {"desired": "deleted", "status": "deleting", "generation": current.generation + 1}
            actions = [self._agent_update(name, {**values, "updated_at": now}, current.generation)]
            actions += [
                {"Update": set_update(self.table_name, k, e, add=False)}
                for k, e in index_entries(current.agent_spec()).items()
            ]
            try:
                self._run(actions)
            except ConditionFailedError:
                continue
            record = self.get(name)
            assert record is not None
            return record
        raise AgentConflictError(f"agent {name!r} kept changing concurrently; delete it again")

    def _write_spec(
        self, spec: AgentSpec, current: AgentRecord | None, old: dict[str, str], new: dict[str, str]
    ) -> None:
        now = self._clock()
        values: dict[str, Any] = {
            "kind": KIND_AGENT,
            "spec": spec.canonical_dict(),
            "spec_sha256": spec.sha256(),
            "generation": (current.generation if current else 0) + 1,
            "desired": "present",
            "status": "pending",
            "created_at": now,
            "updated_at": now,
        }
        agent = self._agent_update(spec.name, values, current.generation if current else None)
        directory = {"Update": set_update(self.table_name, DIRECTORY_KEY, spec.name, add=True)}
        added = {k: e for k, e in new.items() if old.get(k) != e}
        removed = {k: e for k, e in old.items() if new.get(k) != e}
        adds = [{"Update": set_update(self.table_name, k, e, add=True)} for k, e in added.items()]
        removes = [{"Update": set_update(self.table_name, k, e, add=False)} for k, e in removed.items()]
        # A transaction cannot touch one item twice: a key whose element changes (a new range) gets
        # its new element first, outside the transaction (an extra entry is harmless).
        early = [a for a in adds if a["Update"]["Key"][PK]["S"] in removed]
        adds = [a for a in adds if a not in early]
        if len(adds) + len(removes) + 2 > _MAX_TRANSACTION:
            early, adds = early + adds, []
        for action in early:  # extra entries first (harmless), the spec, stale entries last
            call(self.client.update_item, **action["Update"])
        if len(removes) + len(adds) + 2 <= _MAX_TRANSACTION:
            self._run([agent, directory, *adds, *removes])
            return
        self._run([agent, directory])
        for action in removes:
            call(self.client.update_item, **action["Update"])

    def _agent_update(self, name: str, values: dict[str, Any], expected_generation: int | None) -> dict:
        body: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": to_attribute_map({PK: name}),
            **update_expression(values, if_not_exists=("created_at",)),
        }
        body["ExpressionAttributeNames"]["#pk"] = PK
        if expected_generation is None:
            body["ConditionExpression"] = "attribute_not_exists(#pk)"
        else:
            body["ExpressionAttributeNames"]["#gen"] = "generation"
            body.setdefault("ExpressionAttributeValues", {})[":expected_gen"] = to_attribute_value(
                expected_generation
            )
            body["ConditionExpression"] = "attribute_exists(#pk) AND #gen = :expected_gen"
        return {"Update": body}

    def _run(self, actions: list[dict[str, Any]]) -> None:
        call(self.client.transact_write_items, TransactItems=actions)

    @staticmethod
    def spec_of(record: AgentRecord) -> AgentSpec:
        return validate_agent_spec(record.spec)
