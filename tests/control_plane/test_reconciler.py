"""The reconciler repairs drift both ways through the registrar's own code path."""

from __future__ import annotations

from typing import Any

import pytest

from control_plane.reconciler import Reconciler
from control_plane.reconciler import handler as reconciler_handler
from tests.control_plane.helpers import manifest


def test_registers_functions_whose_events_were_lost_and_retires_deleted_ones(cp, tools, registrar, registry):
    tools.create("fn-kept", manifest("kept", "1.0.0"))
    tools.create("fn-gone", manifest("gone", "1.0.0"))
    tools.create("fn-untagged", manifest("untagged", "1.0.0"))
    tools.create("fn-plain", None)  # not a tool at all
    for name in ("fn-gone", "fn-untagged"):
        registrar.sync(name)
    # drift: events for these changes are lost
    tools.delete("fn-gone")
    tools.untag("fn-untagged")
    tools.create("fn-new", manifest("new_tool", "2.0.0"))

    report = Reconciler(registrar, cp.client("resourcegroupstaggingapi")).run()

    assert report.errors == []
    assert report.checked == 4  # kept + new (tagged), plus gone + untagged (known to the registry)
    assert report.outcomes == {"registered": 2, "deregistered": 2}
    assert registry.get("kept").version == "1.0.0" and registry.get("new_tool").version == "2.0.0"
    assert registry.get("gone", "1.0.0").status_reason == "function_deleted"
    assert registry.get("untagged", "1.0.0").status_reason == "manifest_removed"
    assert registry.live_function_names() == ["fn-kept", "fn-new", "fn-untagged"]
    again = Reconciler(registrar, cp.client("resourcegroupstaggingapi")).run()
    assert (again.repaired, again.checked) == (0, 3)


class PagedTagging:
    """Like AWS: pages of 2, and it still lists a function that was deleted (confirm with GetFunction)."""

    def __init__(self, arns: list[str]) -> None:
        self.arns, self.calls = arns, 0

    def get_resources(self, **params: Any) -> dict[str, Any]:
        self.calls += 1
        assert params["TagFilters"] == [{"Key": "agent-tool:name"}]
        start = int(params.get("PaginationToken") or 0)
        page = {
            "ResourceTagMappingList": [{"ResourceARN": a, "Tags": []} for a in self.arns[start : start + 2]]
        }
        if start + 2 < len(self.arns):
            page["PaginationToken"] = str(start + 2)
        return page


def test_paginates_and_confirms_each_function(tools, registrar, registry):
    for i in range(4):
        tools.create(f"fn-p{i}", manifest(f"paged_{i}", "1.0.0"))
    tagging = PagedTagging([tools.arn(f"fn-p{i}") for i in range(4)] + [tools.arn("fn-deleted-long-ago")])
    report = Reconciler(registrar, tagging).run()
    assert tagging.calls == 3
    assert report.outcomes == {"registered": 4, "noop": 1}  # the deleted one: GetFunction says gone
    assert registry.binding("fn-deleted-long-ago") is None


def test_handler_runs_a_pass_and_fails_loudly_when_a_function_cannot_be_synced(
    cp, tools, registrar, monkeypatch, context
):
    tools.create("fn-h", manifest("handled", "1.0.0"))
    monkeypatch.setattr(
        reconciler_handler, "_reconciler", Reconciler(registrar, cp.client("resourcegroupstaggingapi"))
    )
    summary = reconciler_handler.lambda_handler({"source": "aws.scheduler"}, context)
    assert summary["checked"] == 1 and summary["outcomes"] == {"registered": 1}

    def broken_sync(name: str, trigger: str | None = None) -> Any:
        from control_plane.errors import AwsThrottledError

        raise AwsThrottledError("slow down", retryable=True)

    monkeypatch.setattr(registrar, "sync", broken_sync)
    with pytest.raises(reconciler_handler.ReconcileIncompleteError, match="1 of 1 functions failed"):
        reconciler_handler.lambda_handler({"source": "aws.scheduler"}, context)
    monkeypatch.setattr(reconciler_handler, "_reconciler", None)
