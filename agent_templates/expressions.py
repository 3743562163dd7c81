"""The JSONata expressions of the agent template: constants of this package, never user data.

Variables (assigned by ``Start``, updated by ``CallLLM`` and ``RunTools``): ``$tools`` (tool name →
``{arn, version, timeout, approval?}``), ``$limits`` (``max_turns``, ``max_tokens_per_run``,
``max_tool_result_chars``, ``history``), ``$turns``, ``$tool_calls``, ``$usage``, ``$events`` (history
upper bound), ``$chain`` (``{depth, root}``). None is a top-level string.
The conversation travels as state data (``{"messages", "stop_reason", "tool_calls"}``), so large
payloads stay out of variables.
"""

from __future__ import annotations

__all__ = [
    "ALL_CALLS_DIRECT",
    "APPROVAL_ERROR",
    "APPROVED",
    "BUDGET_EXCEEDED",
    "CALLING_EXECUTION",
    "CHILD_CAUSE",
    "CHILD_ERROR",
    "CHILD_INPUT",
    "DENIED_RESULT",
    "EVENTS_AFTER_GUARDED_TOOLS",
    "EVENTS_AFTER_LLM",
    "EVENTS_AFTER_TOOLS",
    "HISTORY_BUDGET_REACHED",
    "INITIAL_MESSAGES",
    "IS_START",
    "LLM_OUTPUT",
    "MAX_TURNS_CAUSE",
    "MESSAGES_WITH_TOOL_RESULTS",
    "NEEDS_APPROVAL",
    "NO_TOOL_USE",
    "TOOL_CALLS_TOTAL",
    "TOOL_ERROR_RESULT",
    "TOOL_RESULT",
    "TOOL_RESULT_AS_GIVEN",
    "TURN_LIMIT_REACHED",
    "UNKNOWN_TOOL",
    "UNKNOWN_TOOL_RESULT",
    "USAGE_TOTAL",
    "error_text",
    "run_output",
]


def error_text(source: str) -> str:
    """``Error: message`` of an error output (``source`` is ``$states.errorOutput`` or similar).

    A Lambda function error's ``Cause`` is the JSON payload ``{"errorType", "errorMessage", ...}``:
    its ``errorMessage`` is used. A truncated or non-JSON cause is used as text (no ``$parse``).
    """
    return (
        f"($e := {source}; $c := $e.Cause; "
        "$m := ($type($c) = 'string' and $substring($c, 0, 1) = '{' and $substring($c, -1) = '}') "
        "? $parse($c).errorMessage : $c; "
        "$e.Error & (($type($m) = 'string' and $m != '') ? ': ' & $m : ''))"
    )


# A child execution (history budget) starts like any run given ``messages``: with an LLM call.
INITIAL_MESSAGES = (
    "$exists($states.input.messages) ? {'messages': $states.input.messages, 'stop_reason': 'sfa_start'} : "
    "$type($states.input.prompt) = 'string' ? {'messages': [{'role': 'user', 'content': "
    "[{'type': 'text', 'text': $states.input.prompt}]}], 'stop_reason': 'sfa_start'} : "
    "$error('the execution input needs prompt (a string) or messages (a list of messages)')"
)

IS_START = "$states.input.stop_reason = 'sfa_start'"
# The execution's own ARN (in a Map iteration too): the gateway's platform operations authorize a
# call by what this execution runs (llm_gateway.callers), so their payloads name it.
CALLING_EXECUTION = "$states.context.Execution.Id"

# The gateway returns ``messages`` when it compacted the conversation (older part by reference).
LLM_OUTPUT = (
    "{'messages': $exists($states.result.Payload.messages) ? $states.result.Payload.messages : "
    "$append($states.input.messages, [$states.result.Payload.message]), "
    "'stop_reason': $states.result.Payload.stop_reason, "
    "'tool_calls': $states.result.Payload.tool_calls}"
)
# `$sum` of a constructed array ignores a missing count instead of making the sum undefined.
USAGE_TOTAL = (
    "{'input_tokens': $sum([$usage.input_tokens, $states.result.Payload.usage.input_tokens]), "
    "'output_tokens': $sum([$usage.output_tokens, $states.result.Payload.usage.output_tokens])}"
)

NO_TOOL_USE = "$states.input.stop_reason != 'tool_use' or $count($states.input.tool_calls) = 0"
TURN_LIMIT_REACHED = "$turns >= $limits.max_turns"
BUDGET_EXCEEDED = (
    "$type($limits.max_tokens_per_run) = 'number' ? "
    "($usage.input_tokens + $usage.output_tokens >= $limits.max_tokens_per_run) : false"
)

MESSAGES_WITH_TOOL_RESULTS = (
    "{'messages': $append($states.input.messages, [{'role': 'user', 'content': $states.result}])}"
)
TOOL_CALLS_TOTAL = "$tool_calls + $count($states.result)"

UNKNOWN_TOOL = "$not($exists($lookup($tools, $states.input.name)))"
# Inside the filter, `name` is each call's name: no call is unknown or needs approval.
ALL_CALLS_DIRECT = (
    "$count($states.input.tool_calls[$not($exists($lookup($tools, name))) "
    "or $lookup($tools, name).approval = true]) = 0"
)
NEEDS_APPROVAL = "$lookup($tools, $states.input.name).approval = true"
UNKNOWN_TOOL_RESULT = (
    "{'type': 'tool_result', 'tool_use_id': $states.input.id, 'is_error': true, "
    "'content': 'Unknown tool ' & $string($states.input.name) & ': this agent has no tool of that name.'}"
)

# RequestApproval's output (the decision, bound to the input's sha256): approval.approval_decision.
# SendTaskFailure carries whatever error name the denier chose; the integration's own failures
# are named EventBridge.* on AWS and States.Runtime in moto (uncatchable on AWS, so harmless there):
# nobody saw the request, the call is refused (fail closed).
APPROVAL_ERROR = (
    "$merge([$states.input, {'approval': {'approved': false, 'message': "
    "$states.errorOutput.Error = 'States.Timeout' "
    "? 'Tool call not approved: no decision before the approval timeout.' "
    ": ($substring($states.errorOutput.Error, 0, 12) = 'EventBridge.' "
    "or $states.errorOutput.Error = 'States.Runtime') "
    "? 'Tool call not approved: the approval request could not be published: ' & "
    f"{error_text('$states.errorOutput')} "
    f": 'Tool call denied by a human approver: ' & {error_text('$states.errorOutput')}}}}}])"
)
APPROVED = "$states.input.approval.approved = true"
DENIED_RESULT = (
    "($a := $states.input.approval; "
    "{'type': 'tool_result', 'tool_use_id': $states.input.id, 'is_error': true, 'content': "
    "$type($a.message) = 'string' ? $a.message : "
    "'Tool call denied by ' & ($type($a.by) = 'string' ? $a.by : 'a human approver') & "
    "(($type($a.reason) = 'string' and $a.reason != '') ? ': ' & $a.reason : '.')})"
)

# Offload: the tool invoker already made the content a string, or a reference (large results).
TOOL_RESULT_AS_GIVEN = (
    "{'type': 'tool_result', 'tool_use_id': $states.input.id, "
    "'content': $exists($states.result.Payload) ? $states.result.Payload : ''}"
)
TOOL_RESULT = (
    "($p := $states.result.Payload; "
    "$c := $exists($p) ? ($type($p) = 'string' ? $p : $string($p)) : ''; "
    "$n := $limits.max_tool_result_chars; "
    "{'type': 'tool_result', 'tool_use_id': $states.input.id, 'content': $length($c) > $n "
    "? $substring($c, 0, $n) & ' [truncated: ' & $string($length($c)) & ' characters in all]' : $c})"
)
TOOL_ERROR_RESULT = (
    "{'type': 'tool_result', 'tool_use_id': $states.input.id, 'is_error': true, "
    f"'content': 'Tool ' & $string($states.input.name) & ' failed: ' & {error_text('$states.errorOutput')}}}"
)

# The answer text; an offloaded (large) text stays a reference, for the caller to resolve.
_ANSWER = (
    "($t := [$states.input.messages[-1][role = 'assistant'].content[type = 'text'].text]; "
    "$count($t) = 0 ? null : $count($t) = 1 ? $t[0] : "
    "$join($filter($t, function($v) { $type($v) = 'string' }), ''))"
)

# History budget ($limits.history: history.history_limits). `$events` is an upper bound.
EVENTS_AFTER_LLM = "$events + $limits.history.llm"
EVENTS_AFTER_TOOLS = "$events + $limits.history.map + $count($states.result) * $limits.history.call"
EVENTS_AFTER_GUARDED_TOOLS = (
    "$events + $limits.history.map + $count($states.result) * $limits.history.guarded_call"
)
# Continue in a child before this turn's tools, the next LLM call and the way out could cross the
# budget — unless this is the execution's first turn (a turn too large for any execution runs).
HISTORY_BUDGET_REACHED = (
    "$events > $limits.history.start + $limits.history.llm and "
    "$events + $limits.history.map + $count($states.input.tool_calls) * $limits.history.guarded_call "
    "+ $limits.history.llm + $limits.history.tail > $limits.history.max"
)
# The child's input: counters only (chain.VALID_CHAIN checks them), no tool call; the parent's
# ARN also as AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID (the console links the executions).
CHILD_INPUT = (
    "{'messages': $states.input.target.messages, 'sfa_chain': $merge([$states.input.target.chain, "
    "{'turns': $turns, 'tool_calls': $tool_calls, 'usage': $usage}]), "
    "'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID': $states.context.Execution.Id}"
)
# .sync:2 failure: Cause is the child's DescribeExecution output (JSON); re-raise its error.
CHILD_ERROR = (
    "($c := $states.input.Cause; "
    "$d := ($type($c) = 'string' and $substring($c, 0, 1) = '{') ? $parse($c) : {}; "
    "$type($d.error) = 'string' ? $d.error : $states.input.Error)"
)
CHILD_CAUSE = (
    "($c := $states.input.Cause; "
    "$d := ($type($c) = 'string' and $substring($c, 0, 1) = '{') ? $parse($c) : {}; "
    "$type($d.cause) = 'string' ? $d.cause : $string($c))"
)


def run_output(status: str) -> str:
    """The execution output (docs/design.md §7) with a fixed ``status`` (one of this package's names)."""
    if not status.replace("_", "").isalpha():
        raise ValueError(f"not a status name: {status!r}")
    return (
        f"{{'status': '{status}', 'answer': {_ANSWER}, "
        "'stop_reason': $states.input.stop_reason, 'messages': $states.input.messages, "
        "'usage': $usage, 'turns': $turns, 'tool_calls': $tool_calls}"
    )


MAX_TURNS_CAUSE = (
    "$string({'status': 'max_turns_exceeded', 'max_turns': $limits.max_turns, 'turns': $turns, "
    "'tool_calls': $tool_calls, 'usage': $usage, "
    "'pending_tool_calls': [$states.input.tool_calls.name], "
    f"'answer': ($a := {_ANSWER}; $type($a) = 'string' ? $substring($a, 0, 2000) : null)}})"
)
