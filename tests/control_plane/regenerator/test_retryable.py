"""The regenerator honours the error hierarchy's ``retryable`` flag (issue 12, item 15).

A failure that a retry cannot fix (access denied, a bug such as a ``TypeError``) is recorded on the
agent (``status: failed``, ``last_error.retryable: false``), published as ``AgentRegenerationFailed``
with ``retryable: false`` — and its stream records are *not* reported as batch item failures, so the
event source mapping does not retry them until they expire. Transient failures (5xx, throttling,
conflicts) still are (``test_failures.py``). Through the Lambda handler on the emulator.
"""

from __future__ import annotations

from typing import Any

import pytest

from control_plane.errors import AwsAccessDeniedError, AwsError, AwsThrottledError, ConditionFailedError
from control_plane.regenerator import handler as regen_handler
from control_plane.regenerator.errors import RoleNameTakenError, is_retryable
from tests.control_plane.regenerator.test_acceptance import alias_version, setup_two_agents, spec


def switch_planner(agents: Any, agent_tap: Any) -> dict[str, Any]:
    """A spec change of the planner (a new definition to roll out); its stream batch."""
    agents.apply(spec("planner", ["text_stats@^1"]))
    return agent_tap.event()


def assert_not_retried(response: dict[str, Any], agents: Any, publisher: Any, step: str) -> Any:
    assert response == {"batchItemFailures": []}, "a non-retryable failure is not reported for retry"
    failed = agents.get("planner")
    assert failed.status in ("failed", "deleting") and failed.last_error.step == step
    assert failed.last_error.retryable is False
    [event] = publisher.of("AgentRegenerationFailed")
    assert event.agent_name == "planner" and event.retryable is False
    return failed


@pytest.mark.parametrize(
    ("service", "operation", "code", "status", "step"),
    [
        ("iam", "put_role_policy", "AccessDenied", 403, "grant"),
        ("stepfunctions", "update_state_machine", "AccessDeniedException", 400, "publish"),
        ("stepfunctions", "update_state_machine", "ValidationException", 400, "publish"),
    ],
)
def test_a_denied_or_invalid_rollout_is_recorded_not_retried(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, counter, publisher, service, operation, code,
    status, step,
):  # fmt: skip
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    v1 = agents.get("planner").live_version_arn
    event = switch_planner(agents, agent_tap)
    publisher.clear()
    counter.fail_next(service, operation, code=code, status=status)

    response = regen_handler.handle(event, regen)

    failed = assert_not_retried(response, agents, publisher, step)
    assert failed.last_error.type in ("AwsAccessDeniedError", "AwsValidationError")
    assert alias_version(cp, "planner") == v1 == failed.live_version_arn  # the last good version runs
    agents.apply(spec("planner", ["text_stats@^1"]), force=True)  # the operator fixed it: apply again
    assert regen_handler.handle(agent_tap.event(), regen) == {"batchItemFailures": []}
    assert agents.get("planner").status == "ready"


def test_a_bug_in_the_rollout_is_recorded_not_retried(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, publisher, monkeypatch
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    event = switch_planner(agents, agent_tap)
    publisher.clear()

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise TypeError("unsupported operand type(s)")

    monkeypatch.setattr(regen.rollout.roles, "put", broken)
    response = regen_handler.handle(event, regen)

    failed = assert_not_retried(response, agents, publisher, "grant")
    assert failed.last_error.type == "TypeError"


def test_a_bug_while_rendering_is_recorded_not_retried(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, publisher, monkeypatch
):
    from control_plane.regenerator import service

    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    event = switch_planner(agents, agent_tap)
    publisher.clear()

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise KeyError("input_schema")

    monkeypatch.setattr(service, "render", broken)
    response = regen_handler.handle(event, regen)

    failed = assert_not_retried(response, agents, publisher, "render")
    assert failed.last_error.type == "KeyError"


def test_a_throttled_registry_read_while_rendering_is_retried(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, monkeypatch
):
    from control_plane.regenerator import service

    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    event = switch_planner(agents, agent_tap)

    def throttled(*_args: Any, **_kwargs: Any) -> None:
        raise AwsThrottledError("Query: ThrottlingException", code="ThrottlingException", retryable=True)

    monkeypatch.setattr(service, "render", throttled)
    assert len(regen_handler.handle(event, regen)["batchItemFailures"]) == 1
    monkeypatch.undo()
    assert regen_handler.handle(event, regen) == {"batchItemFailures": []}
    assert agents.get("planner").status == "ready"


def test_a_denied_teardown_is_recorded_not_retried(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, counter, publisher
):
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    agents.delete("planner")
    event = agent_tap.event()
    publisher.clear()
    counter.fail_next("stepfunctions", "delete_state_machine", code="AccessDeniedException", status=400)

    response = regen_handler.handle(event, regen)

    half = assert_not_retried(response, agents, publisher, "state_machine")
    assert half.status == "deleting" and half.desired == "deleted"


def test_a_new_role_step_functions_cannot_assume_yet_is_retried(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, counter
):
    """Right after CreateRole, AccessDenied from CreateStateMachine may be IAM propagating: after the
    in-call attempts the record is retried rather than given up."""
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)
    agents.apply(spec("fresh", ["text_stats@^1"]))
    event = agent_tap.event()
    counter.fail_next("stepfunctions", "create_state_machine", code="AccessDeniedException", times=6)

    assert len(regen_handler.handle(event, regen)["batchItemFailures"]) == 1
    assert agents.get("fresh").last_error.retryable is True
    assert regen_handler.handle(event, regen) == {"batchItemFailures": []}
    assert agents.get("fresh").status == "ready"


def test_a_role_of_another_agent_is_never_adopted(
    cp, tools, registrar, agents, regen, agent_tap, tool_tap, publisher
):
    """IAM role names are case-insensitive: ``agent-Planner-test`` is ``agent-planner-test``'s role.
    The regenerator adopts an existing role only when its tags say it is this agent's."""
    import json

    cp.client("iam").create_role(
        RoleName="agent-planner-test",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        Tags=[{"Key": "sfa:agent", "Value": "Planner"}, {"Key": "sfa:env", "Value": "test"}],
    )
    setup_two_agents(tools, registrar, agents, regen, agent_tap, tool_tap)  # "writer" deploys

    planner = agents.get("planner")
    assert planner.status == "failed" and planner.last_error.type == RoleNameTakenError.__name__
    assert planner.last_error.retryable is False and "case-insensitive" in planner.last_error.message
    assert planner.state_machine_arn is None and agents.get("writer").status == "ready"


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (AwsThrottledError("x", retryable=True), True),
        (AwsError("x: InternalFailure", code="InternalFailure", retryable=True), True),
        (AwsError("x: ConcurrentModification", code="ConcurrentModification"), True),
        (ConditionFailedError("x"), True),
        (AwsAccessDeniedError("x", code="AccessDenied"), False),
        (AwsError("x: LimitExceeded", code="LimitExceeded"), False),
        (TypeError("x"), False),
        (RoleNameTakenError("x"), False),
    ],
)
def test_is_retryable_follows_the_hierarchy(error: BaseException, retryable: bool) -> None:
    assert is_retryable(error) is retryable
