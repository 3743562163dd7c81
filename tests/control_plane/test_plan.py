"""The registrar's pure core with AWS-like metadata (RevisionId present and changing)."""

from __future__ import annotations

from control_plane.config import ANY_FUNCTION, ControlPlaneConfig
from control_plane.registrar.observe import FunctionSnapshot, interpret
from control_plane.registrar.plan import RegistryState
from control_plane.registry.store import Put
from tests.control_plane.helpers import manifest, plan_published, tags_for

ARN = "arn:aws:lambda:us-east-1:123456789012:function:tool-p"
CONFIG = ControlPlaneConfig(env="test", allowed_prefixes=(ANY_FUNCTION,))


def _observe(at: str, revision: str, code: str = "c0de=", **manifest_overrides: object):
    snap = FunctionSnapshot(
        "tool-p", True, ARN, code, revision, tags_for(manifest("p_tool", "1.0.0", **manifest_overrides))
    )
    return interpret(snap, CONFIG, at)


def _apply(state: RegistryState, writes) -> RegistryState:
    """What the table holds after ``writes`` (rev bumped as the store does)."""
    items = {(i["tool_name"], i["version"]): i for p in state.partitions.values() for i in p}
    if state.binding:
        items[(state.binding["tool_name"], "binding")] = state.binding
    for w in writes:
        if isinstance(w, Put):
            items[(w.item["tool_name"], w.item["version"])] = {**w.item, "rev": (w.expected_rev or 0) + 1}
        else:
            items.pop((w.key["tool_name"], w.key["version"]))
    binding = next((i for k, i in items.items() if k[1] == "binding"), None)
    parts: dict[str, list] = {}
    for (pk, _), item in items.items():
        if not pk.startswith("function#"):
            parts.setdefault(pk, []).append(item)
    return RegistryState(binding, parts)


def test_revision_id_is_recorded_but_a_revision_only_change_writes_nothing():
    first = plan_published(
        _observe("2026-01-01T00:00:00.000001Z", "rev-1"), RegistryState(None), owner_alive=None, now="t1"
    )
    assert first.outcome == "registered"
    version_put = next(w for w in first.writes if w.item.get("version") == "1.0.0")
    assert version_put.item["revision_id"] == "rev-1"
    state = _apply(RegistryState(None), first.writes)

    # UpdateFunctionConfiguration (memory, env vars): RevisionId changes, content does not
    again = plan_published(
        _observe("2026-01-01T00:00:01.000000Z", "rev-2"), state, owner_alive=None, now="t2"
    )
    assert (again.outcome, again.writes, again.events) == ("noop", (), ())

    # a lifecycle change in the manifest (status) records the revision current at that write
    changed = plan_published(
        _observe("2026-01-01T00:00:02.000000Z", "rev-3", status="deprecated"),
        state,
        owner_alive=None,
        now="t3",
    )
    assert changed.outcome == "updated"
    assert next(w for w in changed.writes if w.item.get("version") == "1.0.0").item["revision_id"] == "rev-3"


def test_an_observation_older_than_the_recorded_one_is_stale():
    first = plan_published(
        _observe("2026-01-01T00:00:05.000000Z", "r"), RegistryState(None), owner_alive=None, now="t"
    )
    state = _apply(RegistryState(None), first.writes)
    older = plan_published(
        _observe("2026-01-01T00:00:04.999999Z", "r", code="older="), state, owner_alive=None, now="t"
    )
    assert (older.outcome, older.writes) == ("stale", ())


def test_every_write_is_conditioned_on_the_revision_it_was_planned_from():
    first = plan_published(
        _observe("2026-01-01T00:00:00.000000Z", "r"), RegistryState(None), owner_alive=None, now="t"
    )
    assert all(isinstance(w, Put) and w.expected_rev is None for w in first.writes)  # all new
    state = _apply(RegistryState(None), first.writes)
    gone = interpret(FunctionSnapshot("tool-p", False), CONFIG, "2026-01-01T00:00:01.000000Z")
    plan = plan_published(gone, state, owner_alive=None, now="t2")
    assert plan.outcome == "deregistered"
    assert all(w.expected_rev == 1 for w in plan.writes)  # every touched item existed at rev 1
    kinds = sorted(
        (type(w).__name__, w.item["version"] if isinstance(w, Put) else w.key["version"]) for w in plan.writes
    )
    assert kinds == [
        ("Delete", "latest"),
        ("Delete", "owner"),
        ("Delete", "tag#math"),
        ("Delete", "tag#travel"),
        ("Put", "1.0.0"),
        ("Put", "binding"),
    ]


def test_a_crashing_portability_checker_rejects_instead_of_failing():
    from tool_sdk.portability import register_schema_checker, unregister_schema_checker

    def broken(schema: dict) -> object:
        raise RuntimeError("checker bug")

    register_schema_checker("zz-broken", broken)
    try:
        obs = _observe("2026-01-01T00:00:00.000000Z", "r")
    finally:
        unregister_schema_checker("zz-broken")
    assert obs.kind == "rejected"
    assert [(r.code, r.path) for r in obs.reasons] == [("invalid_manifest", "input_schema")]
    assert "RuntimeError: checker bug" in obs.reasons[0].message
