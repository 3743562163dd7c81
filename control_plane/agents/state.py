"""The regenerator's writes to agent items: a lease, the derived state, and the final removal.

A regeneration holds a lease (``lease_token`` + ``lease_expires_at``, epoch seconds) on the agent
item while it changes AWS resources, so the ToolRegistry and AgentRegistry streams (two event source
mappings, possibly concurrent) never roll out the same agent at once. The lease is taken only if the
item still has the spec generation and live definition the caller planned from — a plan computed
from older registry data can never overwrite a newer rollout — and it is released by the same write
that records the outcome.
"""

from __future__ import annotations

from typing import Any

from control_plane.agents.dynamo import set_update, update_expression
from control_plane.agents.keys import DIRECTORY_KEY, PK
from control_plane.agents.records import AgentRecord
from control_plane.aws import call
from control_plane.registry.codec import from_attribute_map, to_attribute_map, to_attribute_value

__all__ = ["LEASE_FIELDS", "DerivedStateWrites"]

LEASE_FIELDS = ("lease_token", "lease_expires_at")


class DerivedStateWrites:
    """Mixed into ``AgentRegistry`` (which provides ``client`` and ``table_name``)."""

    table_name: str
    client: Any

    def acquire(
        self,
        name: str,
        *,
        token: str,
        now: int,
        ttl_seconds: int,
        generation: int,
        definition_sha256: str | None,
    ) -> AgentRecord:
        """Take the lease if it is free (or expired) and the item is still as planned.

        Raises ``ConditionFailedError`` otherwise (re-read and re-plan, or retry later).
        """
        values = {"lease_token": token, "lease_expires_at": now + ttl_seconds}
        body = {
            "TableName": self.table_name,
            "Key": to_attribute_map({PK: name}),
            **update_expression(values),
        }
        names, av = body["ExpressionAttributeNames"], body["ExpressionAttributeValues"]
        names.update(
            {"#pk": PK, "#gen": "generation", "#exp": "lease_expires_at", "#def": "definition_sha256"}
        )
        av.update({":gen": to_attribute_value(generation), ":now": to_attribute_value(now)})
        condition = "attribute_exists(#pk) AND #gen = :gen AND (attribute_not_exists(#exp) OR #exp < :now)"
        if definition_sha256 is None:
            condition += " AND attribute_not_exists(#def)"
        else:
            av[":def"] = to_attribute_value(definition_sha256)
            condition += " AND #def = :def"
        response = call(
            self.client.update_item, **body, ConditionExpression=condition, ReturnValues="ALL_NEW"
        )
        return AgentRecord.from_item(from_attribute_map(response["Attributes"]))

    def commit(self, name: str, *, token: str, values: dict[str, Any]) -> AgentRecord:
        """Write derived state (``None`` values are removed) and release the lease held by ``token``."""
        body = {
            "TableName": self.table_name,
            "Key": to_attribute_map({PK: name}),
            **update_expression(values, remove=LEASE_FIELDS),
        }
        body["ExpressionAttributeNames"]["#lease"] = "lease_token"
        body.setdefault("ExpressionAttributeValues", {})[":token"] = to_attribute_value(token)
        response = call(
            self.client.update_item, **body, ConditionExpression="#lease = :token", ReturnValues="ALL_NEW"
        )
        return AgentRecord.from_item(from_attribute_map(response["Attributes"]))

    def remove(self, name: str, *, token: str, generation: int) -> None:
        """Delete a torn-down agent's item and its directory entry (only if still that generation)."""
        delete = {
            "TableName": self.table_name,
            "Key": to_attribute_map({PK: name}),
            "ConditionExpression": "#lease = :token AND #gen = :gen",
            "ExpressionAttributeNames": {"#lease": "lease_token", "#gen": "generation"},
            "ExpressionAttributeValues": {
                ":token": to_attribute_value(token),
                ":gen": to_attribute_value(generation),
            },
        }
        directory = set_update(self.table_name, DIRECTORY_KEY, name, add=False)
        call(self.client.transact_write_items, TransactItems=[{"Delete": delete}, {"Update": directory}])
