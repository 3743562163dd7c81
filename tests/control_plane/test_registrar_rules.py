"""Registrar rules on the emulator: lifecycle, rejection, ownership, immutability, ordering."""

from __future__ import annotations

from typing import Any

import pytest

from control_plane.config import ControlPlaneConfig
from control_plane.registrar.sync import Registrar
from control_plane.registry.keys import LATEST_SK
from tests.control_plane.helpers import RecordingPublisher, manifest, manifest_data, raw_manifest_tags


def snapshot(registry, *names: str) -> dict[tuple[str, str], dict]:
    return {(i["tool_name"], i["version"]): i for n in names for i in registry.partition(n)}


def test_untag_disables_versions_keeps_ownership_and_retag_reactivates(tools, registrar, registry, publisher):
    tools.create("tool-u", manifest("u_tool", "1.0.0"))
    registrar.sync("tool-u")
    publisher.clear()
    tools.untag("tool-u")
    assert registrar.sync("tool-u").outcome == "deregistered"
    item = registry.get("u_tool", "1.0.0", consistent=True)
    assert (item.status, item.status_reason) == ("disabled", "manifest_removed")
    assert registry.get_item("u_tool", LATEST_SK) is None
    assert registry.owner("u_tool").owner_function_name == "tool-u"  # untagged, not deleted: still owner
    [event] = publisher.events
    assert (event.DETAIL_TYPE, event.reason, event.latest_version) == (
        "ToolDeregistered",
        "manifest_removed",
        None,
    )

    publisher.clear()
    tools.retag("tool-u", manifest("u_tool", "1.0.0"))
    assert registrar.sync("tool-u").outcome == "registered"
    assert registry.get("u_tool").status == "active"
    assert [e.DETAIL_TYPE for e in publisher.events] == ["ToolRegistered"]


def test_delete_disables_versions_moves_latest_and_releases_the_name(tools, registrar, registry, publisher):
    tools.create("tool-d1", manifest("d_tool", "1.0.0"))
    registrar.sync("tool-d1")
    tools.delete("tool-d1")
    assert registrar.sync("tool-d1").outcome == "deregistered"
    assert registry.get("d_tool", "1.0.0").status_reason == "function_deleted"
    assert registry.owner("d_tool") is None
    assert registrar.sync("tool-d1").outcome == "noop"  # replayed DeleteFunction
    # another function may now take the name and publish new versions
    tools.create("tool-d2", manifest("d_tool", "2.0.0"))
    assert registrar.sync("tool-d2").outcome == "registered"
    assert registry.get("d_tool").lambda_function_name == "tool-d2"


def test_invalid_manifest_changes_nothing_and_reports_every_reason(tools, registrar, registry, publisher):
    tools.create("tool-bad", manifest("good_tool", "1.0.0"))
    registrar.sync("tool-bad")
    before = snapshot(registry, "good_tool")
    publisher.clear()
    bad = manifest_data("good_tool", "1.1.0", input_schema={"type": "array", "items": 3}, tags=["UPPER"])
    tools.lambda_.tag_resource(Resource=tools.arn("tool-bad"), Tags=raw_manifest_tags(bad))
    result = registrar.sync("tool-bad")
    assert (result.outcome, result.writes) == ("rejected", 0)
    assert snapshot(registry, "good_tool") == before  # the last good version stays live
    [event] = publisher.events
    assert event.DETAIL_TYPE == "ToolRejected"
    assert (event.tool_name, event.version, event.function_name) == ("good_tool", "1.1.0", "tool-bad")
    paths = {r.path for r in event.reasons}
    assert paths == {"input_schema.items", "input_schema.type", "tags"}, event.reasons
    assert {r.code for r in event.reasons} == {"invalid_manifest"}


def test_unreadable_tags_are_rejected_with_a_reason(tools, registrar, registry, publisher):
    tags = raw_manifest_tags(manifest_data("torn", "1.0.0"))
    del tags["agent-tool:m00"]
    tools.create("tool-torn", None)
    tools.lambda_.tag_resource(Resource=tools.arn("tool-torn"), Tags=tags)
    assert registrar.sync("tool-torn").outcome == "rejected"
    [event] = publisher.events
    assert [(r.code, r.path) for r in event.reasons] == [("tags_unreadable", "tags")]
    assert "m00" in event.reasons[0].message
    assert registry.partition("torn") == []


def test_hijack_is_rejected_and_the_owner_item_is_untouched(tools, registrar, registry, publisher):
    tools.create("tool-owner", manifest("payments", "1.0.0"))
    registrar.sync("tool-owner")
    before = snapshot(registry, "payments")
    publisher.clear()
    for version in ("1.0.0", "1.0.1", "9.0.0"):  # same version, a patch, a higher major
        tools.lambda_.delete_function(FunctionName="tool-thief") if version != "1.0.0" else None
        tools.create("tool-thief", manifest("payments", version, description="totally legit"), build="evil")
        result = registrar.sync("tool-thief")
        assert (result.outcome, result.writes) == ("rejected", 0)
    assert snapshot(registry, "payments") == before
    assert registry.binding("tool-thief") is None
    reasons = [e.reasons[0] for e in publisher.events]
    assert all(r.code == "name_owned" for r in reasons)
    assert reasons[0].message == f"name 'payments' owned by {tools.arn('tool-owner')}"


def test_takeover_when_the_owner_is_gone_even_if_its_delete_event_was_lost(
    tools, registrar, registry, publisher
):
    tools.create("tool-old", manifest("weather", "1.0.0"))
    registrar.sync("tool-old")
    tools.delete("tool-old")  # DeleteFunction event lost
    tools.create("tool-new", manifest("weather", "1.1.0"), build="new")
    assert registrar.sync("tool-new").outcome == "registered"
    assert registry.owner("weather").owner_function_name == "tool-new"
    old = registry.get("weather", "1.0.0", consistent=True)
    assert (old.status, old.status_reason) == ("disabled", "owner_deleted")
    assert registry.get("weather").version == "1.1.0"
    # the old owner's published version stays immutable for the new owner
    tools.update_code("tool-new", "other")
    tools.retag("tool-new", manifest("weather", "1.0.0"))
    result = registrar.sync("tool-new")
    assert result.outcome == "rejected" and result.reasons == ("version_immutable:version",)


def test_a_change_under_a_registered_version_is_rejected_and_runs_nowhere(
    tools, registrar, registry, publisher
):
    tools.create("tool-imm", manifest("imm", "1.0.0"))
    registrar.sync("tool-imm")
    before = snapshot(registry, "imm")
    tools.update_code("tool-imm", "changed")  # new code, same version tag
    result = registrar.sync("tool-imm")
    assert result.outcome == "rejected" and result.reasons == ("changed_without_version_bump:version",)
    assert snapshot(registry, "imm") == before
    # agents invoke the published version, which still has the registered code
    record = registry.get("imm", "1.0.0")
    published = tools.lambda_.get_function(FunctionName="tool-imm", Qualifier=record.lambda_version)
    assert published["Configuration"]["CodeSha256"] == record.code_sha256 != tools.code_sha256("tool-imm")
    # a different manifest under the same version is rejected too
    tools.retag("tool-imm", manifest("imm", "1.0.0", description="changed"))
    assert registrar.sync("tool-imm").outcome == "rejected"
    # lifecycle changes are not content changes: deprecate in place (with the registered build)
    tools.update_code("tool-imm", "a")
    publisher.clear()
    tools.retag("tool-imm", manifest("imm", "1.0.0", status="deprecated"))
    assert registrar.sync("tool-imm").outcome == "updated"
    [event] = publisher.events
    assert (event.DETAIL_TYPE, event.previous_status, event.status) == ("ToolUpdated", "active", "deprecated")
    assert event.latest_version is None
    # not even the owner may change a registered version's content: that is a new version
    tools.update_code("tool-imm", "fixed")
    assert registrar.sync("tool-imm").outcome == "rejected"
    assert registry.get("imm", "1.0.0").code_sha256 == before[("imm", "1.0.0")]["code_sha256"]


def test_redeploying_an_older_version_keeps_every_version_as_registered(tools, registrar, registry):
    tools.create("tool-rb", manifest("rb", "1.0.0"))
    registrar.sync("tool-rb")
    tools.update_code("tool-rb", "b")
    tools.retag("tool-rb", manifest("rb", "2.0.0"))
    assert registrar.sync("tool-rb").outcome == "registered"
    tools.update_code("tool-rb", "a")
    tools.retag("tool-rb", manifest("rb", "1.0.0"))
    assert registrar.sync("tool-rb").outcome == "repaired"  # the binding follows; no version changes
    assert [(r.version, r.status, r.lambda_version) for r in registry.history("rb", consistent=True)] == [
        ("1.0.0", "active", "1"),
        ("2.0.0", "active", "2"),
    ]
    assert registry.get("rb").version == "2.0.0"  # latest: the highest active (rollback: sfa tools rollback)
    assert registry.binding("tool-rb").current_version == "1.0.0"


def test_allow_list_rejects_other_function_names(cp, tools, registry):
    config = ControlPlaneConfig(env="test", allowed_prefixes=("tool-",))
    publisher = RecordingPublisher()
    registrar = Registrar(config, registry=registry, lambda_client=cp.client("lambda"), publisher=publisher)
    tools.create("rogue-fn", manifest("rogue", "1.0.0"))
    tools.create("tool-ok", manifest("ok_tool", "1.0.0"))
    assert registrar.sync("rogue-fn").outcome == "rejected"
    assert publisher.events[0].reasons[0].code == "function_not_allowed"
    assert registrar.sync("tool-ok").outcome == "registered"


def test_a_stale_event_cannot_roll_the_registry_back(tools, registrar, registry, publisher):
    """Events delivered late or out of order: each re-reads the function, so all converge."""
    from control_plane.registrar.handler import handle
    from tests.control_plane.helpers import event_for

    created = tools.create("tool-late", manifest("late", "1.0.0"))
    events = [event_for("CreateFunction", created["FunctionArn"])]
    tools.update_code("tool-late", "b")
    events.append(event_for("UpdateFunctionCode", created["FunctionArn"]))
    tools.retag("tool-late", manifest("late", "2.0.0"))
    events.append(event_for("TagResource", created["FunctionArn"]))
    for event in reversed(events):  # newest first, then the stale ones
        handle(event, registrar)
    assert registry.get("late").version == "2.0.0"
    assert [r.version for r in registry.history("late")] == ["2.0.0"]  # 1.0.0 was never observed
    assert [e.DETAIL_TYPE for e in publisher.events] == ["ToolRegistered"]


class _Hooked:
    """A client proxy that runs ``hook`` once, right after the first call of ``method``."""

    def __init__(self, inner: Any, method: str, hook: Any) -> None:
        self.inner, self.method, self.hook, self.fired = inner, method, hook, False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name != self.method or self.fired:
            return attr

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            out = attr(*args, **kwargs)
            self.fired = True
            self.hook()
            return out

        wrapped.__name__ = name
        return wrapped


def test_concurrent_registrar_with_an_older_read_cannot_overwrite_a_newer_one(cp, tools, registrar, registry):
    """A (slow) reads v1; meanwhile v2 is deployed and B registers it; A's write must not win."""
    tools.create("tool-race", manifest("race", "1.0.0"))

    def meanwhile() -> None:
        tools.update_code("tool-race", "b")
        tools.retag("tool-race", manifest("race", "2.0.0"))
        assert registrar.sync("tool-race").outcome == "registered"

    slow = Registrar(
        registrar.config,
        registry=registry,
        lambda_client=_Hooked(cp.client("lambda"), "list_tags", meanwhile),
        publisher=RecordingPublisher(),
    )
    result = slow.sync("tool-race")
    assert result.outcome == "stale"
    assert registry.get("race").version == "2.0.0"
    assert [r.version for r in registry.history("race")] == ["2.0.0"]


def test_lost_conditional_write_is_replanned_from_fresh_reads(cp, tools, registrar, registry, config):
    tools.create("tool-cc", manifest("cc", "1.0.0"))
    publisher = RecordingPublisher()
    other = Registrar(
        config, registry=registry, lambda_client=cp.client("lambda"), publisher=RecordingPublisher()
    )
    hooked = _Hooked(cp.client("dynamodb"), "query", lambda: other.sync("tool-cc"))
    from control_plane.registry.store import ToolRegistry

    racing = Registrar(
        config,
        registry=ToolRegistry(config.tool_table, hooked),
        lambda_client=cp.client("lambda"),
        publisher=publisher,
    )
    result = racing.sync("tool-cc")
    assert result.attempts == 2 and result.outcome == "noop"
    assert publisher.events == []  # the other registrar published ToolRegistered, once
    assert registry.get("cc").version == "1.0.0"


@pytest.mark.parametrize("status", ["deprecated", "disabled"])
def test_requested_status_is_recorded_and_never_latest(tools, registrar, registry, status):
    tools.create(f"tool-{status}", manifest(f"st_{status}", "1.0.0", status=status))
    assert registrar.sync(f"tool-{status}").outcome == "registered"
    record = registry.get(f"st_{status}", "1.0.0")
    assert (record.status, record.requested_status, record.status_reason) == (status, status, "manifest")
    assert registry.get_item(f"st_{status}", LATEST_SK) is None


def test_renaming_the_tool_keeps_the_old_name_registered_and_owned(tools, registrar, registry, publisher):
    tools.create("tool-rn", manifest("old_name", "1.0.0"))
    registrar.sync("tool-rn")
    publisher.clear()
    tools.retag("tool-rn", manifest("new_name", "1.0.0"))
    assert registrar.sync("tool-rn").outcome == "registered"
    old = registry.get("old_name", "1.0.0", consistent=True)
    assert (old.status, old.status_reason) == ("active", "manifest")  # its published version still runs
    assert registry.get("new_name").lambda_function_name == "tool-rn"
    assert registry.binding("tool-rn").tools == ["new_name", "old_name"]
    assert registry.owner("old_name").owner_function_name == "tool-rn"
    assert [(e.DETAIL_TYPE, e.tool_name) for e in publisher.events] == [("ToolRegistered", "new_name")]
