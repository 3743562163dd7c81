"""The gateway Lambda's platform operations (events with ``sfa_op``), besides LLM calls.

``invoke_tool`` — the tool invoker. Step Functions caps a task result at 256 KB and a result above
it fails the execution (``States.DataLimitExceeded`` cannot be caught), so an agent rendered with
``offload`` calls its tools through here: references in the input are resolved, the tool's Lambda
is invoked synchronously (Lambda's own response limit is 6 MB), and its result — a string as is,
anything else as compact JSON — is offloaded to the content bucket when above the threshold. A tool
error is re-raised with the tool's own ``errorType`` and message, so the template's Catch builds
the same ``Tool x failed: ErrorType: message`` result as for a direct invoke. Tools in any language
just return JSON; a Python tool may also return a reference it wrote itself (validated here).

The invoker calls a function only when both hold (``ToolNotAllowed`` otherwise):

* it is inside the tool cap (:class:`ToolCap`): a published version of ``tool-<id>-{env}`` in the
  gateway's own account and region (``SFA_ENV``; the environment is the text after the last ``-``),
  or of a function ``SFA_EXTRA_TOOL_FUNCTION_ARNS`` names (comma-separated, IAM wildcards) — the
  agent permissions boundary's cap, so the gateway's broader grant is never used to call anything
  an agent could not call directly. Tools run only by published version (``…:function:NAME:VERSION``,
  what the registry records): an unqualified ARN (``$LATEST``), ``$LATEST`` or an alias could run
  code that was never registered, so it is refused whatever the cap says;
* it is in the tool set of the calling execution's definition (:mod:`llm_gateway.callers`): the
  request's ``execution_arn`` must be a running execution of this environment's agents in this
  account and region, and the function one of the ``$tools`` ARNs of the state machine version it
  runs. Nothing the request lists is trusted (an ``allowed`` list, sent by older templates, is
  ignored).

``continue`` — the history budget's continuation: the ARN to start the child on (the version, or
alias, the parent runs — so the whole chain runs one agent version), the child's execution name,
and the conversation carried as one ``messages`` reference. It describes only a running execution
of this environment's agents in this account and region (``CallerNotAllowed`` otherwise).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llm_gateway.callers import AgentExecutions, GatewayIdentity, is_env_name
from llm_gateway.errors import CallerNotAllowed, InvalidRequest, ToolNotAllowed, tool_error
from tool_sdk.content import ContentStore, is_ref

__all__ = ["PLATFORM_OPS", "ToolCap", "continue_conversation", "invoke_tool", "tool_error"]

_LAMBDA_ARN = re.compile(
    r"^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,64})(:[A-Za-z0-9$_-]+)?$"
)
# A published version: Lambda numbers them 1, 2, … (no leading zero); $LATEST and aliases are not.
_PUBLISHED_VERSION = re.compile(r":[1-9][0-9]*")
_NAME_MAX = 80


@dataclass(frozen=True, kw_only=True)
class ToolCap:
    """Which functions the tool invoker may ever call: published versions of ``tool-<id>-{env}`` in
    ``partition``/``region``/``account`` (the gateway's own), and of the functions ``extra_arns``
    name (IAM-style patterns, unqualified or qualified, as configured)."""

    env: str
    region: str
    account: str
    partition: str = "aws"
    extra_arns: Sequence[str] = ()

    @classmethod
    def for_gateway(cls, identity: GatewayIdentity, environ: Mapping[str, str] | None = None) -> ToolCap:
        """The gateway's cap: ``identity`` and ``SFA_EXTRA_TOOL_FUNCTION_ARNS``."""
        e = os.environ if environ is None else environ
        extra = [a.strip() for a in (e.get("SFA_EXTRA_TOOL_FUNCTION_ARNS") or "").split(",") if a.strip()]
        return cls(
            env=identity.env,
            region=identity.region,
            account=identity.account,
            partition=identity.partition,
            extra_arns=tuple(extra),
        )

    def refusal(self, function_arn: str) -> str | None:
        """Why ``function_arn`` is outside the cap, or None when it is inside."""
        match = _LAMBDA_ARN.fullmatch(function_arn)
        if not match:
            return "not a Lambda function ARN"
        partition, region, account, name, qualifier = match.groups()
        if qualifier is None or not _PUBLISHED_VERSION.fullmatch(qualifier):
            found = "unqualified ($LATEST)" if qualifier is None else f"qualified by {qualifier[1:]!r}"
            return (
                f"{found}: tools are invoked by published version only (…:function:NAME:VERSION), "
                "$LATEST and aliases could run code that was never registered"
            )
        home = (partition, region, account) == (self.partition, self.region, self.account)
        if home and is_env_name(name, "tool", self.env):
            return None
        # An extra names functions (``…:team-a-*``, as in the boundary) or versions (``…:team-a-x:3``):
        # either way only a published version gets here, so matching the function covers it.
        function = function_arn[: -len(qualifier)]
        if any(_iam_match(arn, function_arn) or _iam_match(arn, function) for arn in self.extra_arns):
            return None
        return (
            f"outside the tool cap (tool-<id>-{self.env} in account {self.account}, region "
            f"{self.region}, and the extra tool ARNs)"
        )

    def allows(self, function_arn: str) -> bool:
        return self.refusal(function_arn) is None


def _iam_match(pattern: str, arn: str) -> bool:
    """IAM's ARN matching: ``*`` any characters, ``?`` one character, everything else literal."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, arn) is not None


def _check_allowed(event: Mapping[str, Any], cap: ToolCap, executions: AgentExecutions) -> str:
    function = event.get("function")
    if not isinstance(function, str) or not _LAMBDA_ARN.fullmatch(function):
        raise InvalidRequest(f"invoke_tool: not a Lambda function ARN: {str(function)[:200]!r}")
    refusal = cap.refusal(function)
    if refusal is not None:  # before any AWS call: a request outside the cap costs nothing
        raise ToolNotAllowed(f"invoke_tool: {function} is {refusal}")
    caller = executions.running(event.get("execution_arn"), ToolNotAllowed, "invoke_tool")
    if function not in executions.tool_arns(caller, ToolNotAllowed):
        raise ToolNotAllowed(
            f"invoke_tool: {function} is not a tool of the calling agent's definition "
            f"({caller.version_arn or caller.state_machine_arn})"
        )
    return function


def invoke_tool(
    event: Mapping[str, Any],
    store: ContentStore | None,
    lambda_client: Any,
    cap: ToolCap,
    executions: AgentExecutions,
) -> Any:
    """Invoke ``event["function"]`` with ``event["input"]``; the tool_result content (or a reference).
    The function must be inside ``cap`` and a tool of the definition ``event["execution_arn"]`` runs."""
    function = _check_allowed(event, cap, executions)
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
    event: Mapping[str, Any], store: ContentStore | None, executions: AgentExecutions
) -> dict[str, Any]:
    """Where and how to start the child execution that continues this conversation."""
    caller = executions.running(event.get("execution_arn"), CallerNotAllowed, "continue")
    execution_arn = caller.execution_arn
    target = caller.version_arn or caller.alias_arn or caller.state_machine_arn
    chain = event.get("chain") or {}
    depth = int(chain.get("depth", 0)) + 1
    root = str(chain.get("root") or caller.execution_name)
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
