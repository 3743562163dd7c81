"""The gateway Lambda's platform operations (events with ``sfa_op``), besides LLM calls.

``invoke_tool`` — the tool invoker. Step Functions caps a task result at 256 KB and a result above
it fails the execution (``States.DataLimitExceeded`` cannot be caught), so an agent rendered with
``offload`` calls its tools through here: references in the input are resolved, the tool's Lambda
is invoked synchronously (Lambda's own response limit is 6 MB), and its result — a string as is,
anything else as compact JSON — is offloaded to the content bucket when above the threshold. A tool
error is re-raised with the tool's own ``errorType`` and message, so the template's Catch builds
the same ``Tool x failed: ErrorType: message`` result as for a direct invoke. Tools in any language
just return JSON; a Python tool may also return a reference it wrote itself (validated here).

The invoker only calls a function the calling agent's definition lists (the request's ``allowed``:
the ARNs of its ``$tools``) that is also inside the tool cap — a published version of
``tool-*-{env}`` (``SFA_ENV``) or of one of ``SFA_EXTRA_TOOL_FUNCTION_ARNS`` (comma-separated, IAM
wildcards) — the same cap as the agent permissions boundary, so the gateway's broader grant cannot be
used to call anything an agent could not call directly (``ToolNotAllowed``). Tools run only by
published version (``…:function:NAME:VERSION``, what the registry records): an unqualified ARN
(``$LATEST``), ``$LATEST`` or an alias could run code that was never registered, so it is refused
whatever the cap says.

``continue`` — the history budget's continuation: the ARN to start the child on (the version, or
alias, the parent runs — so the whole chain runs one agent version), the child's execution name,
and the conversation carried as one ``messages`` reference.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llm_gateway.errors import InvalidRequest, ToolFunctionError, ToolNotAllowed
from tool_sdk.content import ContentStore, is_ref

__all__ = ["PLATFORM_OPS", "ToolCap", "continue_conversation", "invoke_tool", "tool_error"]

_LAMBDA_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})(:[A-Za-z0-9$_-]+)?$"
)
# A published version: Lambda numbers them 1, 2, … (no leading zero); $LATEST and aliases are not.
_PUBLISHED_VERSION = re.compile(r":[1-9][0-9]*")
_EXECUTION_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:execution:([^:]+):([^:]+)$")
_NAME_MAX = 80


def tool_error(error_type: str, message: str) -> ToolFunctionError:
    """A ToolFunctionError whose class name is the tool's ``errorType`` (what Lambda reports)."""
    cls = type(error_type or "ToolError", (ToolFunctionError,), {"__doc__": "A tool's own error."})
    return cls(message)


@dataclass(frozen=True)
class ToolCap:
    """Which functions the tool invoker may ever call: published versions of ``tool-*-{env}`` and of
    the functions ``extra_arns`` name (IAM-style patterns, unqualified or qualified)."""

    env: str = "dev"
    extra_arns: Sequence[str] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ToolCap:
        """``SFA_ENV`` (default ``dev``, as the gateway's config) and ``SFA_EXTRA_TOOL_FUNCTION_ARNS``."""
        e = os.environ if environ is None else environ
        extra = [a.strip() for a in (e.get("SFA_EXTRA_TOOL_FUNCTION_ARNS") or "").split(",") if a.strip()]
        return cls(env=e.get("SFA_ENV") or "dev", extra_arns=tuple(extra))

    def refusal(self, function_arn: str) -> str | None:
        """Why ``function_arn`` is outside the cap, or None when it is inside."""
        match = _LAMBDA_ARN.fullmatch(function_arn)
        if not match:
            return "not a Lambda function ARN"
        qualifier = match.group(2)
        if qualifier is None or not _PUBLISHED_VERSION.fullmatch(qualifier):
            found = "unqualified ($LATEST)" if qualifier is None else f"qualified by {qualifier[1:]!r}"
            return (
                f"{found}: tools are invoked by published version only (…:function:NAME:VERSION), "
                "$LATEST and aliases could run code that was never registered"
            )
        name, prefix, suffix = match.group(1), "tool-", f"-{self.env}"
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + len(suffix):
            return None
        # An extra names functions (``…:team-a-*``, as in the boundary) or versions (``…:team-a-x:3``):
        # either way only a published version gets here, so matching the function covers it.
        function = function_arn[: -len(qualifier)]
        if any(_iam_match(arn, function_arn) or _iam_match(arn, function) for arn in self.extra_arns):
            return None
        return f"outside the tool cap (tool-*-{self.env} and the extra tool ARNs)"

    def allows(self, function_arn: str) -> bool:
        return self.refusal(function_arn) is None


def _iam_match(pattern: str, arn: str) -> bool:
    """IAM's ARN matching: ``*`` any characters, ``?`` one character, everything else literal."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, arn) is not None


def _check_allowed(event: Mapping[str, Any], function: Any, cap: ToolCap) -> str:
    if not isinstance(function, str) or not _LAMBDA_ARN.fullmatch(function):
        raise InvalidRequest(f"invoke_tool: not a Lambda function ARN: {str(function)[:200]!r}")
    allowed = event.get("allowed")
    if not isinstance(allowed, list) or function not in allowed:
        raise ToolNotAllowed(f"invoke_tool: {function} is not a tool of this agent's definition")
    refusal = cap.refusal(function)
    if refusal is not None:
        raise ToolNotAllowed(f"invoke_tool: {function} is {refusal}")
    return function


def invoke_tool(
    event: Mapping[str, Any], store: ContentStore | None, lambda_client: Any, cap: ToolCap | None = None
) -> Any:
    """Invoke ``event["function"]`` with ``event["input"]``; the tool_result content (or a reference).
    The function must be in ``event["allowed"]`` and inside ``cap`` (default: from the environment)."""
    function = _check_allowed(event, event.get("function"), cap or ToolCap.from_env())
    payload = event.get("input", {})
    if store is not None:
        payload = store.resolve(payload)  # InvalidReferenceError: the model gets a tool error
    response = lambda_client.invoke(
        FunctionName=function, Payload=json.dumps(payload, ensure_ascii=False).encode("utf-8")
    )
    body = response["Payload"].read()
    if response.get("FunctionError"):
        try:
            error = json.loads(body)
            raise tool_error(str(error.get("errorType") or "ToolError"), str(error.get("errorMessage") or ""))
        except (ValueError, AttributeError):
            raise tool_error("ToolError", body.decode("utf-8", "replace")[:2000]) from None
    value = json.loads(body) if body else None
    if value is None:
        return ""
    if is_ref(value):
        if store is None:
            raise InvalidRequest("the tool returned a content reference, but there is no content bucket")
        store.validate(value)
        return value
    content = (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    )
    return store.offload(content) if store is not None else content


def continue_conversation(
    event: Mapping[str, Any], store: ContentStore | None, sfn_client: Any
) -> dict[str, Any]:
    """Where and how to start the child execution that continues this conversation."""
    execution_arn = event.get("execution_arn")
    match = _EXECUTION_ARN.match(execution_arn) if isinstance(execution_arn, str) else None
    if not match:
        raise InvalidRequest(f"continue: not an execution ARN: {str(execution_arn)[:200]!r}")
    described = sfn_client.describe_execution(executionArn=execution_arn)
    target = (
        described.get("stateMachineVersionArn")
        or described.get("stateMachineAliasArn")
        or described["stateMachineArn"]
    )
    chain = event.get("chain") or {}
    depth = int(chain.get("depth", 0)) + 1
    root = str(chain.get("root") or match.group(2))
    suffix = f"-c{depth}"
    messages = event.get("messages") or []
    if store is not None and messages:
        messages = [store.put(messages, kind="messages")]
    return {
        "state_machine_arn": target,
        "name": root[: _NAME_MAX - len(suffix)] + suffix,
        "messages": messages,
        "chain": {"depth": depth, "root": root, "parent": execution_arn},
    }


PLATFORM_OPS: dict[str, Callable[..., Any]] = {"invoke_tool": invoke_tool, "continue": continue_conversation}
