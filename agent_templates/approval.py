"""Human approval of a tool call, bound to the exact input the tool will run with.

``RequestApproval`` publishes ``ToolApprovalRequested`` (``control_plane.events.ToolApprovalRequested``:
every field of that model, none missing) with the task token and waits. The request names the
input's SHA-256 (``input_sha256``):

* an input that travels **by reference** (``offload``: the gateway stores a tool input above 64 KB
  and the model's call carries ``{"$ref", "sha256", ...}``): the reference's ``sha256``, the digest
  of the stored bytes — the tool invoker resolves the reference only when the object matches it, so
  the digest names exactly what the tool receives; the reference itself is ``input_ref``;
* any other input: SHA-256 of its JSON text (``$string``), computed by the agent — above 5,000
  characters, of its 5,000-character chunks' SHA-256s (``$hash`` takes at most 10,000 characters).

The decision (``SendTaskSuccess``) runs the tool only as ``{"approved": true, "input_sha256": <that
digest>, "by"?: …}``: a decision without the digest, or with another one, is a refusal the model
sees (``Tool call not approved: …``), so an approval given on a preview never runs a hidden tail.
``sfa approve TOKEN`` shows the resolved input and its digest and sends it (docs/agents.md §6).
"""

from __future__ import annotations

from typing import Any

from agent_templates.jsonata import expr, literal
from agent_templates.options import RenderOptions

__all__ = [
    "APPROVAL_EVENT_DETAIL_TYPE",
    "APPROVAL_EVENT_SCHEMA_VERSION",
    "EVENT_SOURCE",
    "PUT_EVENTS_WAIT",
    "approval_decision",
    "input_sha256",
    "request_approval_state",
]

PUT_EVENTS_WAIT = "arn:aws:states:::events:putEvents.waitForTaskToken"
EVENT_SOURCE = "sfn-agents.registry"
APPROVAL_EVENT_DETAIL_TYPE = "ToolApprovalRequested"
APPROVAL_EVENT_SCHEMA_VERSION = 1

_INPUT = "$states.input.input"
# An input the tool invoker resolves as a reference (offload): a JSON object with a string $ref.
_IS_REF = (
    f"($i := {_INPUT}; $type($i) = 'object' ? "
    "($type($lookup($i, '$ref')) = 'string' and $type($i.sha256) = 'string') : false)"
)
# Step Functions hashes at most 10,000 characters per call (States.Hash, $hash): a longer JSON text
# is hashed as the SHA-256 of its 5,000-character chunks' SHA-256s (hex, concatenated). 5,000 code
# points are at most 10,000 UTF-16 units; the digests of a 256 KB state fit one more call.
_CHUNK = 5000
_OWN_DIGEST = (
    f"($t := $string($exists({_INPUT}) ? {_INPUT} : {{}}); $length($t) <= {_CHUNK} ? $hash($t, 'SHA-256') : "
    f"$hash($join($map([0..$floor(($length($t) - 1) / {_CHUNK})], function($i) {{ "
    f"$hash($substring($t, $i * {_CHUNK}, {_CHUNK}), 'SHA-256') }})), 'SHA-256'))"
)


def input_sha256(offload: bool) -> str:
    """The digest an approval must name (see the module docstring)."""
    if not offload:  # the tool receives the input as written, a reference-looking one included
        return _OWN_DIGEST
    return f"({_IS_REF} ? {_INPUT}.sha256 : {_OWN_DIGEST})"


def _input_ref(offload: bool) -> str:
    return f"({_IS_REF} ? {_INPUT} : null)" if offload else "null"


def approval_decision(offload: bool) -> str:
    """``RequestApproval``'s output: the call with its ``approval``; an approval of another input
    (or of none named) becomes a refusal with the reason, which ``CheckApproval`` denies."""
    return (
        f"($d := {input_sha256(offload)}; $r := $states.result; "
        "$yes := $type($r) = 'object' ? $r.approved = true : false; "
        "$named := $yes ? $type($r.input_sha256) = 'string' : false; "
        "$merge([$states.input, {'approval': "
        "($yes and $not($named)) ? {'approved': false, 'by': $r.by, 'message': "
        "'Tool call not approved: the decision does not name the sha256 of the input it approves "
        "(sfa approve shows the input and names it).'} : "
        "($named and $r.input_sha256 != $d) ? {'approved': false, 'by': $r.by, 'message': "
        "'Tool call not approved: the decision approves the input with sha256 ' & $r.input_sha256 & "
        "', not this input (sha256 ' & $d & ').'} : $r}]))"
    )


def request_approval_state(
    agent_name: str, timeout_seconds: int, options: RenderOptions, *, check_state: str, catch_output: str
) -> dict[str, Any]:
    """Publishes ToolApprovalRequested (with the task token) and waits for SendTaskSuccess or
    SendTaskFailure (denies); a timeout or a failure to publish is a refusal (``catch_output``)."""
    detail = {
        "schema_version": APPROVAL_EVENT_SCHEMA_VERSION,
        # Field names are those of control_plane.events.ToolApprovalRequested (docs/design.md §5).
        "occurred_at": expr("$states.context.State.EnteredTime"),
        "agent_name": literal(agent_name),
        "tool_name": expr("$states.input.name"),
        "tool_version": expr("$lookup($tools, $states.input.name).version"),
        "tool_use_id": expr("$states.input.id"),
        "input": expr(_INPUT),
        "input_sha256": expr(input_sha256(options.offload)),
        "input_ref": expr(_input_ref(options.offload)),
        "task_token": expr("$states.context.Task.Token"),
        "execution_arn": expr("$states.context.Execution.Id"),
        "timeout_seconds": timeout_seconds,
        "expires_at": expr(
            f"$fromMillis($toMillis($states.context.State.EnteredTime) + {timeout_seconds * 1000})"
        ),
    }
    return {
        "Type": "Task",
        "Comment": "Human approval of this exact input: SendTaskSuccess with its sha256, or SendTaskFailure.",
        "Resource": PUT_EVENTS_WAIT,
        "Arguments": {
            "Entries": [
                {
                    "EventBusName": options.bus_name,
                    "Source": EVENT_SOURCE,
                    "DetailType": APPROVAL_EVENT_DETAIL_TYPE,
                    "Detail": detail,
                }
            ]
        },
        "TimeoutSeconds": timeout_seconds,
        "Catch": [{"ErrorEquals": ["States.ALL"], "Output": expr(catch_output), "Next": check_state}],
        "Output": expr(approval_decision(options.offload)),
        "Next": check_state,
    }
