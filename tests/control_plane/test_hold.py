"""The grace window in the registrar's pure core: held releases, decided once (clock injected)."""

from __future__ import annotations

import json

from control_plane.config import ANY_FUNCTION, ControlPlaneConfig
from control_plane.registrar.handler import handle
from control_plane.registrar.observe import FunctionSnapshot, configuration_summary, interpret
from control_plane.registrar.plan import RegistryState
from control_plane.registrar.recheck import recheck_event, recheck_function_name
from tests.control_plane.helpers import manifest, plan_published, tags_for
from tests.control_plane.test_plan import _apply

ARN = "arn:aws:lambda:us-east-1:123456789012:function:tool-h"
CONFIG = ControlPlaneConfig(env="test", allowed_prefixes=(ANY_FUNCTION,))
GRACE = 120.0


def _at(second: int) -> str:
    return f"2026-01-01T00:{second // 60:02d}:{second % 60:02d}.000000Z"


def _observe(second: int, version: str = "1.0.0", code: str = "c0de=", memory: int = 128):
    config = {"Runtime": "python3.12", "Handler": "app.handler", "MemorySize": memory}
    snap = FunctionSnapshot(
        "tool-h",
        True,
        ARN,
        code,
        None,
        tags_for(manifest("h_tool", version)),
        configuration=configuration_summary(config),
    )
    return interpret(snap, CONFIG, _at(second))


def _plan(obs, state, second: int, lambda_version: str = "1"):
    return plan_published(
        obs, state, owner_alive=None, now=_at(second), grace_seconds=GRACE, version=lambda_version
    )


def _registered() -> RegistryState:
    first = _plan(_observe(0), RegistryState(None), 0)
    assert first.outcome == "registered"
    return _apply(RegistryState(None), first.writes)


def test_a_code_change_without_a_bump_is_held_then_rejected_once():
    state = _registered()
    held = _plan(_observe(10, code="new="), state, 10)
    assert (held.outcome, held.events, held.recheck_in) == ("held", (), GRACE)
    state = _apply(state, held.writes)
    assert state.binding["hold"]["kind"] == "unbumped"
    # duplicates within the window: nothing to write, a re-check for the remaining time
    again = _plan(_observe(70, code="new="), state, 70)
    assert (again.outcome, again.writes, again.recheck_in) == ("held", (), 60.0)
    decided = _plan(_observe(131, code="new="), state, 131)
    assert decided.outcome == "rejected"
    [event] = decided.events
    assert [r.code for r in event.reasons] == ["changed_without_version_bump"]
    state = _apply(state, decided.writes)
    assert state.binding["hold"]["verdict"] == "rejected"
    # later duplicates and re-checks do not report it again
    assert _plan(_observe(200, code="new="), state, 200).outcome == "noop"
    # nothing the agents run changed
    versions = [i for i in state.partitions["h_tool"] if i["version"] == "1.0.0"]
    assert versions[0]["code_sha256"] == "c0de=" and versions[0]["lambda_version"] == "1"


def test_the_version_bump_that_follows_registers_and_drops_the_hold():
    state = _apply(_registered(), _plan(_observe(10, code="new="), _registered(), 10).writes)
    bumped = _plan(_observe(20, version="1.1.0", code="new="), state, 20, lambda_version="2")
    assert bumped.outcome == "registered"
    assert [e.DETAIL_TYPE for e in bumped.events] == ["ToolRegistered"]
    state = _apply(state, bumped.writes)
    assert "hold" not in state.binding


def test_a_configuration_change_is_a_change_too():
    state = _registered()
    assert _plan(_observe(10, memory=256), state, 10).outcome == "held"


def test_a_tag_only_bump_waits_for_code_then_registers_the_same_build():
    state = _registered()
    held = _plan(_observe(10, version="1.1.0"), state, 10)
    assert (held.outcome, held.events) == ("held", ())
    state = _apply(state, held.writes)
    assert state.binding["hold"]["kind"] == "manifest_only"
    released = _plan(_observe(131, version="1.1.0"), state, 131)
    assert released.outcome == "registered"
    put = next(w for w in released.writes if w.item.get("version") == "1.1.0")
    assert put.item["code_sha256"] == "c0de="


def test_a_zero_grace_window_decides_at_once():
    state = _registered()
    plan = plan_published(_observe(10, code="new="), state, owner_alive=None, now=_at(10), grace_seconds=0)
    assert plan.outcome == "rejected" and plan.writes == ()


def test_recheck_events_round_trip_and_sqs_batches_reach_the_registrar():
    assert recheck_function_name(recheck_event("tool-h")) == "tool-h"
    assert recheck_function_name({"source": "aws.lambda", "detail": {"function_name": "x"}}) is None

    class Recorder:
        def __init__(self) -> None:
            self.calls: list[tuple[str, str | None]] = []

        def sync(self, name: str, *, trigger: str | None = None, **_: object):
            from control_plane.registrar.decision import Plan
            from control_plane.registrar.sync import _result

            self.calls.append((name, trigger))
            if name == "boom":
                from control_plane.errors import AwsError

                raise AwsError("throttled", retryable=True)
            return _result(name, Plan("noop"), _observe(0), 1, {})

    recorder = Recorder()
    batch = {
        "Records": [
            {"messageId": "m1", "body": json.dumps(recheck_event("tool-h"))},
            {"messageId": "m2", "body": json.dumps(recheck_event("boom"))},
        ]
    }
    out = handle(batch, recorder)  # type: ignore[arg-type]
    assert out == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert recorder.calls == [("tool-h", "recheck"), ("boom", "recheck")]
