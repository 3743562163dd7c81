"""The ``continue`` operation describes and continues only running executions of this environment's
agents, in the gateway's own account and region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from llm_gateway import handler as handler_module
from llm_gateway.errors import CallerNotAllowed, InvalidRequest
from tests.llm_gateway.fakes.aws import ACCOUNT, MACHINES, REGION, FakeStepFunctions, gateway_context, tool


@pytest.fixture
def sfn() -> Iterator[FakeStepFunctions]:
    fake = FakeStepFunctions()
    handler_module.set_platform_clients(stepfunctions=fake, store=None)
    yield fake
    handler_module.set_platform_clients()


def _continue(execution: Any, **event: Any) -> Any:
    request = {"sfa_op": "continue", "execution_arn": execution, "messages": [], **event}
    return handler_module.handler(request, gateway_context())


def test_the_child_runs_the_version_the_parent_runs(sfn: FakeStepFunctions) -> None:
    version = sfn.deploy("planner", [tool("search")], version=4)
    run = sfn.start(version, run="run-7")
    out = _continue(run, chain={"depth": 2, "root": "run"})
    assert out == {
        "state_machine_arn": version,
        "name": "run-c3",
        "messages": [],
        "chain": {"depth": 3, "root": "run", "parent": run},
    }
    assert _continue(run)["name"] == "run-7-c1"


@pytest.mark.parametrize(
    "execution",
    [
        f"arn:aws:states:{REGION}:{ACCOUNT}:execution:agent-planner-prod:run-1",
        f"arn:aws:states:{REGION}:{ACCOUNT}:execution:billing-dev:run-1",
        f"arn:aws:states:{REGION}:999999999999:execution:agent-planner-dev:run-1",
        f"arn:aws:states:eu-west-1:{ACCOUNT}:execution:agent-planner-dev:run-1",
        "not-an-arn",
    ],
    ids=["another-env", "not-an-agent", "another-account", "another-region", "not-an-arn"],
)
def test_nothing_outside_this_environment_is_described(sfn: FakeStepFunctions, execution: str) -> None:
    sfn.start(sfn.deploy("planner", [tool("search")]))
    with pytest.raises(CallerNotAllowed) as info:
        _continue(execution)
    assert isinstance(info.value, InvalidRequest)  # not retried; PrepareChild fails the run
    assert sfn.calls == []


def test_a_finished_execution_is_not_continued(sfn: FakeStepFunctions) -> None:
    run = sfn.start(sfn.deploy("planner", [tool("search")]), status="SUCCEEDED")
    with pytest.raises(CallerNotAllowed, match="is not running"):
        _continue(run)


def test_an_execution_on_an_alias_continues_on_the_version(sfn: FakeStepFunctions) -> None:
    version = sfn.deploy("planner", [tool("search")], version=2)
    run = sfn.start(version)
    sfn.executions[run]["stateMachineAliasArn"] = f"{MACHINES}:agent-planner-dev:live"
    assert _continue(run)["state_machine_arn"] == version
    sfn.executions[run]["stateMachineAliasArn"] = f"{MACHINES}:agent-other-dev:live"
    with pytest.raises(CallerNotAllowed, match="does not run"):
        _continue(run)
