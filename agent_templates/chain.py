"""The history budget's way out: continue the conversation in a child execution.

``NextStep`` goes to ``PrepareChild`` when the next turn could cross the budget
(``expressions.HISTORY_BUDGET_REACHED``, constants from ``history.history_limits``)::

    PrepareChild ─► StartChild (states:startExecution.sync:2) ─► (the child's output is the run's)
                         └─(child failed)─► ChildFailed (Fail: the child's own Error and Cause)

``PrepareChild`` asks the gateway Lambda (``sfa_op: continue``) for the ARN to start — the version
or alias this execution runs, so the whole chain is one agent version — the child's name
(``{root}-c{depth}``, idempotent on retries) and the conversation as one reference. The child gets
``{"messages", "sfa_chain": {depth, root, parent, turns, tool_calls, usage, pending}}``: its
``Start`` carries the counters over (max turns and the token budget span the chain) and its first
``NextStep`` runs the pending tool calls.
"""

from __future__ import annotations

from typing import Any

from agent_templates import expressions as x
from agent_templates.jsonata import expr
from agent_templates.options import RenderOptions

__all__ = ["CHILD_FAILED", "PREPARE_CHILD", "START_CHILD", "START_EXECUTION_SYNC", "chain_states"]

PREPARE_CHILD, START_CHILD, CHILD_FAILED = "PrepareChild", "StartChild", "ChildFailed"
START_EXECUTION_SYNC = "arn:aws:states:::states:startExecution.sync:2"
_LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_LAMBDA_SERVICE_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]


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
                    "messages": expr("$states.input.messages"),
                    "chain": expr("$chain"),
                },
            },
            "Retry": [options.lambda_retry.rule(_LAMBDA_SERVICE_ERRORS)],
            "Output": expr("{'target': $states.result.Payload, 'tool_calls': $states.input.tool_calls}"),
            "Next": START_CHILD,
        },
        START_CHILD: {
            "Type": "Task",
            "Comment": "The child runs the pending tool calls and the rest of the run; its output is ours.",
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
