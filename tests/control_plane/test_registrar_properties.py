"""Property tests on the emulator: duplicates, reordering, loss (with the reconciler), invalid input."""

from __future__ import annotations

import random
from typing import Any

import hypothesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from control_plane.reconciler import Reconciler
from control_plane.registrar.handler import handle
from control_plane.registry.table import create_tables
from tests.control_plane.conftest import ENV, Tools
from tests.control_plane.world import STATUSES, VERSIONS, World

N_FUNCTIONS = 3
_fn = st.integers(0, N_FUNCTIONS - 1)
OPS = st.one_of(
    st.tuples(st.just("create"), _fn, st.sampled_from(VERSIONS), st.sampled_from(STATUSES)),
    st.tuples(st.just("deploy"), _fn, st.sampled_from(VERSIONS)),
    st.tuples(st.just("status"), _fn, st.sampled_from(STATUSES)),
    st.tuples(st.just("untag"), _fn),
    st.tuples(st.just("retag"), _fn),
    st.tuples(st.just("config"), _fn, st.integers(0, 3)),
    st.tuples(st.just("delete"), _fn),
    # deliver a queued event now (index into the queue), possibly keeping it queued (a duplicate)
    st.tuples(st.just("deliver"), st.integers(0, 50), st.booleans()),
)
CREATE_ALL = [("create", i, "1.0.0", "active") for i in range(N_FUNCTIONS)]
# No shrinking: a failing example of these emulator runs takes minutes to shrink (past the test
# timeout, which then hides the failure); the failing example is printed as generated.
SETTINGS = settings(
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.reuse, hypothesis.Phase.generate],
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _fresh_world(cp: Any, publisher: Any) -> World:
    cp.reset()
    create_tables(cp.client("dynamodb"), ENV)
    publisher.clear()
    return World(Tools(cp), N_FUNCTIONS)


def _run(world: World, ops: list[tuple], rng: random.Random, registrar: Any, drop: float = 0.0) -> None:
    outcomes: list[str] = []

    def deliver(event: dict) -> None:
        if rng.random() >= drop:
            outcomes.append(handle(event, registrar)["outcome"])

    for op in ops:
        if op[0] == "deliver":
            if world.pending:
                event = world.pending.pop(op[1] % len(world.pending))
                deliver(event)
                if op[2]:
                    world.pending.append(event)
        else:
            world.apply(op)
    rest = world.pending + rng.sample(world.pending, k=len(world.pending) // 2)  # with duplicates
    rng.shuffle(rest)
    world.pending = []
    for event in rest:
        deliver(event)
    for outcome in sorted(set(outcomes)):
        hypothesis.event(f"outcome {outcome}")
    hypothesis.event(f"deliveries {len(outcomes) // 10 * 10}+")


@SETTINGS
@given(
    ops=st.lists(OPS, min_size=6, max_size=20).map(lambda ops: CREATE_ALL + ops),
    seed=st.integers(0, 2**32 - 1),
)
def test_shuffled_duplicated_events_converge_to_the_truth(cp, registrar, registry, publisher, ops, seed):
    world = _fresh_world(cp, publisher)
    _run(world, ops, random.Random(seed), registrar)
    world.check_truth(registry)


@SETTINGS
@given(
    ops=st.lists(OPS, min_size=6, max_size=20).map(lambda ops: CREATE_ALL + ops),
    seed=st.integers(0, 2**32 - 1),
)
def test_one_reconciler_pass_repairs_ten_percent_event_loss(cp, registrar, registry, publisher, ops, seed):
    world = _fresh_world(cp, publisher)
    _run(world, ops, random.Random(seed), registrar, drop=0.10)
    report = Reconciler(registrar, cp.client("resourcegroupstaggingapi")).run()
    assert report.errors == []
    world.check_truth(registry)
    # and a second pass finds nothing left to repair
    assert Reconciler(registrar, cp.client("resourcegroupstaggingapi")).run().repaired == 0
