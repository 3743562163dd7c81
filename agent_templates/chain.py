"""The history budget's way out: continue the conversation in a child execution.

``NextStep`` goes to ``PrepareChild`` when the model's tool calls, the next LLM call and the way out
could cross the budget (``expressions.HISTORY_BUDGET_REACHED``, constants from
``history.history_limits``)::

    PrepareChild ─► StartChild (states:startExecution.sync:2) ─► (the child's output is the run's)
                         └─(child failed)─► ChildFailed (Fail: the child's own Error and Cause)

``PrepareChild`` asks the gateway Lambda (``sfa_op: continue``) for the ARN to start — the version
or alias this execution runs, so the whole chain is one agent version — the child's name
(``{root}-c{depth}``, idempotent on retries) and the conversation as one reference. The
conversation goes **without the model's last turn**: the child starts with an LLM call, which asks
again (that turn's calls ran nowhere; its tokens and the call count stay counted).

Nothing in a StartExecution input makes a run do more than a fresh one. A child gets
``{"messages", "sfa_chain": {depth, root, parent, turns, tool_calls, usage}}`` and its ``Start``
carries the counters over (``max_turns`` and the token budget span the chain) only when the chain is
well-formed (:data:`VALID_CHAIN`: counters are non-negative integers, ``depth`` ≥ 1) and names this
very execution (``Execution.Name`` is ``{root}-c{depth}``); otherwise it starts from zero. A caller
could always start a run with any ``messages``; a forged ``sfa_chain`` can only raise the counters
(a shorter budget) or name the execution after a chain it could name anyway. No tool call crosses
executions, so no tool runs before the execution's first LLM call.
"""

from __future__ import annotations

from typing import Any

from agent_templates import expressions as x
from agent_templates.jsonata import expr
from agent_templates.options import RenderOptions

__all__ = [
    "CHILD_FAILED",
    "PREPARE_CHILD",
    "START_CHILD",
    "START_EXECUTION_SYNC",
    "VALID_CHAIN",
    "carried_counters",
    "chain_states",
]

PREPARE_CHILD, START_CHILD, CHILD_FAILED = "PrepareChild", "StartChild", "ChildFailed"
START_EXECUTION_SYNC = "arn:aws:states:::states:startExecution.sync:2"
_LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_LAMBDA_SERVICE_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
_NAME_MAX = 80  # Step Functions' execution name limit (the gateway truncates the root to fit)
_CHAIN = "$states.input.sfa_chain"
# A whole number in [minimum, 2^53): JSON numbers only, checked without comparing other types.
_WHOLE = (
    "function($v, $min) { $type($v) = 'number' ? "
    "($v >= $min and $v = $floor($v) and $v < 9007199254740992) : false }"
)
VALID_CHAIN = (
    f"($c := {_CHAIN}; $w := {_WHOLE}; $type($c) = 'object' ? ("
    "$w($c.depth, 1) and $w($c.turns, 0) and $w($c.tool_calls, 0) and "
    "($type($c.usage) = 'object' ? ($w($c.usage.input_tokens, 0) and $w($c.usage.output_tokens, 0)) "
    ": false) and "
    "($type($c.root) = 'string' ? $states.context.Execution.Name = "
    f"$substring($c.root, 0, {_NAME_MAX} - $length('-c' & $string($c.depth))) & '-c' & "
    "$string($c.depth) : false)) : false)"
)
"""Whether the execution input's ``sfa_chain`` is a well-formed chain naming this execution."""
# Without the last message (the model's turn with the calls): the child asks again. `$append`
# keeps a one-element result a list.
_MESSAGES_BEFORE_LAST_TURN = "($m := $states.input.messages; $append([], $m[[0..($count($m) - 2)]]))"


def carried_counters() -> dict[str, str]:
    """``Start``'s counters: a valid chain's (:data:`VALID_CHAIN`), else zero and this execution."""

    def carried(value: str, fresh: str) -> str:
        return expr(f"{VALID_CHAIN} ? {value} : {fresh}")

    return {
        "turns": carried(f"{_CHAIN}.turns", "0"),
        "tool_calls": carried(f"{_CHAIN}.tool_calls", "0"),
        "usage": carried(
            f"{{'input_tokens': {_CHAIN}.usage.input_tokens, 'output_tokens': {_CHAIN}.usage.output_tokens}}",
            "{'input_tokens': 0, 'output_tokens': 0}",
        ),
        "chain": carried(
            f"{{'depth': {_CHAIN}.depth, 'root': {_CHAIN}.root}}",
            "{'depth': 0, 'root': $states.context.Execution.Name}",
        ),
    }


def chain_states(gateway_arn: str, options: RenderOptions) -> dict[str, Any]:
    return {
        PREPARE_CHILD: {
            "Type": "Task",
            "Comment": "History budget reached: where to continue (same version), messages by reference.",
            "Resource": _LAMBDA_INVOKE,
            "Arguments": {
                "FunctionName": gateway_arn,
                "Payload": {
                    "sfa_op": "continue",
                    "execution_arn": expr("$states.context.Execution.Id"),
                    "messages": expr(_MESSAGES_BEFORE_LAST_TURN),
                    "chain": expr("$chain"),
                },
            },
            "Retry": [options.lambda_retry.rule(_LAMBDA_SERVICE_ERRORS)],
            "Output": expr("{'target': $states.result.Payload}"),
            "Next": START_CHILD,
        },
        START_CHILD: {
            "Type": "Task",
            "Comment": "The child asks the model again and runs the rest of the run; its output is ours.",
            "Resource": START_EXECUTION_SYNC,
            "Arguments": {
                "StateMachineArn": expr("$states.input.target.state_machine_arn"),
                "Name": expr("$states.input.target.name"),
                "Input": expr(x.CHILD_INPUT),
            },
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "Output": expr("$states.errorOutput"), "Next": CHILD_FAILED}
            ],
            "Output": expr("$states.result.Output"),
            "End": True,
        },
        CHILD_FAILED: {"Type": "Fail", "Error": expr(x.CHILD_ERROR), "Cause": expr(x.CHILD_CAUSE)},
    }
