"""The history budget: upper bounds of the execution-history events each part of a turn adds.

A Standard execution fails when its history reaches 25,000 events. The template cannot read its
own event count, so it keeps ``$events``, an **upper bound** computed from these constants (retries
included at their maximum), and continues the conversation in a child execution before a turn could
cross ``max_history_events - history_margin_events``. Events per state (Step Functions and moto
alike): a Pass or Choice state 2 (entered, exited); a ``lambda:invoke`` Task 5 (entered,
scheduled, started, succeeded/failed, exited) plus 3 per retry (failed, scheduled, started); a
``.waitForTaskToken`` or ``.sync`` Task 6 (+ submitted); a Map 4 (entered, started, succeeded,
exited) plus 2 per iteration (started, succeeded); the execution's own start and end 1 each.
"""

from __future__ import annotations

from agent_templates.options import RenderOptions

__all__ = ["EVENTS_PER_RETRY", "history_limits", "worst_turn_events"]

EVENTS_PER_RETRY = 3
_TASK, _WAIT_TASK, _PASS, _CHOICE, _MAP, _ITERATION, _EXECUTION_EDGE = 5, 6, 2, 2, 4, 2, 1


def history_limits(options: RenderOptions) -> dict[str, int]:
    """``$limits.history``: the budget and per-part costs (all upper bounds)."""
    lambda_retries = EVENTS_PER_RETRY * options.lambda_retry.max_attempts
    llm_retries = EVENTS_PER_RETRY * (options.gateway_retry.max_attempts + options.lambda_retry.max_attempts)
    tool_task = _TASK + lambda_retries
    return {
        "max": options.max_history_events - options.history_margin_events,
        # ExecutionStarted, Start (Pass), the first NextStep (Choice)
        "start": _EXECUTION_EDGE + _PASS + _CHOICE,
        # CallLLM (Task, retries) and the NextStep (Choice) after it
        "llm": _TASK + llm_retries + _CHOICE,
        "map": _MAP,
        # one iteration: InvokeTool, ToolFailed
        "call": _ITERATION + tool_task + _PASS,
        # one guarded iteration: route, approval wait, check, invoke, failed
        "guarded_call": _ITERATION + _CHOICE + _WAIT_TASK + _CHOICE + tool_task + _PASS,
        # PrepareChild (Task), StartChild (.sync Task), ChildFailed (Fail), execution end; or a
        # terminal state and the execution end
        "tail": tool_task + _WAIT_TASK + _PASS + _EXECUTION_EDGE,
    }


def worst_turn_events(limits: dict[str, int], tool_calls: int) -> int:
    """The most events one more turn with ``tool_calls`` calls can add (guarded path, every retry)."""
    return limits["map"] + tool_calls * limits["guarded_call"] + limits["llm"]
