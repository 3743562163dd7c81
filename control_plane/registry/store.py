"""``ToolRegistry``: the typed API over ``ToolRegistry-{env}`` (reads, plus the registrar's writes).

Every listing is a Query on an index or a partition, never a Scan, and never ``Limit`` together with
a ``FilterExpression`` (filters that indexes cannot express run in Python on complete pages).
Index reads are eventually consistent; reads by key can be strongly consistent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from control_plane.aws import call, client_or_default
from control_plane.config import ControlPlaneConfig
from control_plane.errors import InvalidQueryError, ToolNotFoundError, VersionNotFoundError
from control_plane.registry.batch import batch_get_items
from control_plane.registry.codec import from_attribute_map, to_attribute_map, to_attribute_value
from control_plane.registry.keys import (
    BINDING_SK,
    BY_LANGUAGE_INDEX,
    BY_STATUS_INDEX,
    BY_TAG_INDEX,
    FUNCTION_LIVE,
    GSI_LANGUAGE,
    GSI_STATUS,
    GSI_TAG,
    LATEST_SK,
    OWNER_SK,
    PK,
    SK,
    TOOL_ACTIVE,
    VERSION_SK_UPPER_BOUND,
    function_pk,
    version_status_key,
)
from control_plane.registry.records import FunctionBinding, OwnerRecord, ToolRecord
from tool_sdk.manifest import NAME_PATTERN
from tool_sdk.semver import SemVer, SemVerRange, is_semver

__all__ = ["Delete", "Put", "ToolRegistry", "Write"]

_NAME_RE = re.compile(NAME_PATTERN)
_STATUSES = ("active", "deprecated", "disabled")


@dataclass(frozen=True)
class Put:
    """Write ``item``; ``expected_rev`` None means the item must not exist yet, else its ``rev``."""

    item: dict[str, Any]
    expected_rev: int | None


@dataclass(frozen=True)
class Delete:
    """Delete the item with ``key`` if its ``rev`` is still ``expected_rev``."""

    key: dict[str, str]
    expected_rev: int


Write = Put | Delete


class ToolRegistry:
    """Typed access to ``ToolRegistry-{env}``; ``client`` is a low-level ``dynamodb`` client."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @classmethod
    def from_config(cls, config: ControlPlaneConfig, client: Any | None = None) -> ToolRegistry:
        return cls(config.tool_table, client)

    @property
    def client(self) -> Any:
        self._client = client_or_default("dynamodb", self._client)
        return self._client

    # -- typed reads -----------------------------------------------------------------------------

    def get(self, name: str, version: str = "latest", *, consistent: bool = False) -> ToolRecord:
        """``version``: ``"latest"`` (highest active), an exact SemVer, or a range (``^1.2``).

        An exact version is returned whatever its status; ``latest`` and ranges resolve among active
        versions only. Raises ``ToolNotFoundError``/``VersionNotFoundError``/``InvalidQueryError``.
        """
        _check_name(name)
        if version == LATEST_SK:
            item = self.get_item(name, LATEST_SK, consistent=consistent)
            if item is None:
                raise ToolNotFoundError(name)
            return ToolRecord.from_item(item)
        if is_semver(version):
            item = self.get_item(name, version, consistent=consistent)
            if item is None:
                raise self._not_found(name, version, consistent)
            return ToolRecord.from_item(item)
        try:
            rng = SemVerRange.parse(version)
        except ValueError as exc:
            raise InvalidQueryError(f"{version!r} is not 'latest', a version or a range: {exc}") from None
        candidates = [r for r in self.history(name, consistent=consistent) if r.status == "active"]
        matching = [r for r in candidates if rng.contains(r.version)]
        if not matching:
            raise self._not_found(name, version, consistent)
        return max(matching, key=lambda r: SemVer.parse(r.version))

    def history(self, name: str, *, consistent: bool = False) -> list[ToolRecord]:
        """Every version item of ``name`` (any status), lowest SemVer first."""
        _check_name(name)
        items = self._query(
            KeyConditionExpression="#pk = :pk AND #sk < :upper",
            ExpressionAttributeNames={"#pk": PK, "#sk": SK},
            ExpressionAttributeValues={
                ":pk": to_attribute_value(name),
                ":upper": to_attribute_value(VERSION_SK_UPPER_BOUND),
            },
            ConsistentRead=consistent,
        )
        records = [ToolRecord.from_item(i) for i in items if is_semver(i[SK])]
        return sorted(records, key=lambda r: SemVer.parse(r.version))

    def list(
        self, *, language: str | None = None, tag: str | None = None, status: str = "active"
    ) -> list[ToolRecord]:
        """Tools matching every given filter.

        ``status="active"`` (default): one record per tool — its latest version — most recently
        changed first (by tag or language: ordered by tool name). ``"deprecated"``/``"disabled"``:
        every version in that status, most recently updated first.
        """
        if status not in _STATUSES:
            raise InvalidQueryError(f"status must be one of {', '.join(_STATUSES)}, got {status!r}")
        if status != "active":
            records = [ToolRecord.from_item(i) for i in self._by_status(version_status_key(status))]
        elif tag is not None:
            records = self._by_tag(tag)
        elif language is not None:
            records = [
                ToolRecord.from_item(i) for i in self._by_index(BY_LANGUAGE_INDEX, GSI_LANGUAGE, language)
            ]
        else:
            records = [ToolRecord.from_item(i) for i in self._by_status(TOOL_ACTIVE)]
        return [
            r
            for r in records
            if (language is None or r.language == language) and (tag is None or tag in r.tags)
        ]

    def owner(self, name: str, *, consistent: bool = True) -> OwnerRecord | None:
        item = self.get_item(name, OWNER_SK, consistent=consistent)
        return OwnerRecord.from_item(item) if item else None

    def binding(self, function_name: str, *, consistent: bool = True) -> FunctionBinding | None:
        item = self.get_item(function_pk(function_name), BINDING_SK, consistent=consistent)
        return FunctionBinding.from_item(item) if item else None

    def live_function_names(self) -> list[str]:
        """Functions the registry believes exist (bindings not marked deleted), from the index."""
        return sorted({i["function_name"] for i in self._by_status(FUNCTION_LIVE)})

    # -- raw access for the registrar --------------------------------------------------------------

    def get_item(self, pk: str, sk: str, *, consistent: bool = True) -> dict[str, Any] | None:
        response = call(
            self.client.get_item,
            TableName=self.table_name,
            Key=to_attribute_map({PK: pk, SK: sk}),
            ConsistentRead=consistent,
        )
        item = response.get("Item")
        return from_attribute_map(item) if item else None

    def partition(self, pk: str, *, consistent: bool = True) -> list[dict[str, Any]]:
        """Every item under ``pk`` (versions, latest, owner, tag items), strongly consistent."""
        return self._query(
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": PK},
            ExpressionAttributeValues={":pk": to_attribute_value(pk)},
            ConsistentRead=consistent,
        )

    def transact(self, writes: Sequence[Write], token: str | None = None) -> None:
        """Apply ``writes`` atomically, each conditioned on the ``rev`` it was planned against."""
        if not writes:
            return
        if len(writes) > 100:
            raise InvalidQueryError(f"a transaction holds at most 100 writes, got {len(writes)}")
        params: dict[str, Any] = {"TransactItems": [self._transact_item(w) for w in writes]}
        if token:
            params["ClientRequestToken"] = token[:36]
        call(self.client.transact_write_items, **params)

    def _transact_item(self, write: Write) -> dict[str, Any]:
        names = {"#pk": PK}
        if isinstance(write, Put):
            item = {**write.item, "rev": (write.expected_rev or 0) + 1}
            body: dict[str, Any] = {"TableName": self.table_name, "Item": to_attribute_map(item)}
            if write.expected_rev is None:
                body["ConditionExpression"] = "attribute_not_exists(#pk)"
            else:
                body["ConditionExpression"] = "#rev = :rev"
                names = {"#rev": "rev"}
                body["ExpressionAttributeValues"] = {":rev": to_attribute_value(write.expected_rev)}
            body["ExpressionAttributeNames"] = names
            return {"Put": body}
        return {
            "Delete": {
                "TableName": self.table_name,
                "Key": to_attribute_map(write.key),
                "ConditionExpression": "#rev = :rev",
                "ExpressionAttributeNames": {"#rev": "rev"},
                "ExpressionAttributeValues": {":rev": to_attribute_value(write.expected_rev)},
            }
        }

    # -- internals ---------------------------------------------------------------------------------

    def _query(self, **params: Any) -> list[dict[str, Any]]:
        return list(self._pages(TableName=self.table_name, **params))

    def _pages(self, **params: Any) -> Iterator[dict[str, Any]]:
        while True:
            response = call(self.client.query, **params)
            for item in response.get("Items", []):
                yield from_attribute_map(item)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            params["ExclusiveStartKey"] = last

    def _by_index(self, index: str, attribute: str, value: str, *, newest_first: bool = False) -> list[dict]:
        return self._query(
            IndexName=index,
            KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": attribute},
            ExpressionAttributeValues={":v": to_attribute_value(value)},
            ScanIndexForward=not newest_first,
        )

    def _by_status(self, key: str) -> list[dict[str, Any]]:
        return self._by_index(BY_STATUS_INDEX, GSI_STATUS, key, newest_first=True)

    def _by_tag(self, tag: str) -> list[ToolRecord]:
        names = sorted({i[PK] for i in self._by_index(BY_TAG_INDEX, GSI_TAG, tag)})
        items = self._batch_get([{PK: n, SK: LATEST_SK} for n in names])
        return sorted((ToolRecord.from_item(i) for i in items), key=lambda r: r.name)

    def _batch_get(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        return batch_get_items(self.client, self.table_name, keys)

    def _not_found(self, name: str, version: str, consistent: bool) -> ToolNotFoundError:
        if self.partition(name, consistent=consistent):
            return VersionNotFoundError(name, version)
        return ToolNotFoundError(name, version)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InvalidQueryError(f"{name!r} is not a tool name ({NAME_PATTERN})")
