"""The LLM gateway Lambda: ``handler(event, context)``.

``event`` is the normalized request (docs/design.md §6); the return value is the normalized response.
On failure the handler raises the gateway error class itself (``RateLimited``, ``ProviderTimeout``,
``ProviderUnavailable``, ``InvalidRequest``, ``AuthenticationFailed``, ``ContextWindowExceeded``): the
Lambda runtime reports the class name as ``errorType`` and Step Functions' Retry/Catch match on it.

With ``SFA_CONTENT_BUCKET`` set, content references in the conversation are resolved before the
provider is called and large answers are offloaded (``llm_gateway.content``). An event with
``sfa_op`` is a platform operation (``llm_gateway.platform_ops``: the tool invoker, the
history-budget continuation); who may call it is established from the Lambda context (the
gateway's own account and region) and the calling execution Step Functions describes
(``llm_gateway.callers``), never from the request. Raw AWS errors of the gateway's own calls (S3,
Lambda, Step Functions) are mapped to gateway errors here, once (``llm_gateway.aws``).

Importing this module loads no provider SDK; each is imported when its provider is first used.
"""

from __future__ import annotations

import os
import time
from typing import Any

from llm_gateway.aws import aws_error
from llm_gateway.callers import UNKNOWN_IDENTITY, AgentExecutions, DefinitionCache, GatewayIdentity
from llm_gateway.content import ContentLimits, finish_response, prepare_request
from llm_gateway.errors import InvalidRequest, ToolNotAllowed
from llm_gateway.gateway import Gateway
from llm_gateway.observability import logger
from llm_gateway.platform_ops import ToolCap, continue_conversation, invoke_tool
from llm_gateway.snapstart import install_hooks
from tool_sdk.content import ContentStore

# Under SnapStart the configured SDKs are imported before the snapshot (no-op elsewhere).
install_hooks()

__all__ = ["get_gateway", "handler", "set_gateway", "set_platform_clients"]

_gateway: Gateway | None = None
_clients: dict[str, Any] = {}
_definitions = DefinitionCache()  # tool sets of agent versions (immutable), shared by invocations
_SAFETY_MARGIN_S = 2.0  # leave time to report the error before Lambda's own timeout
# The tool invoker waits for the tool: Lambda runs a function up to 15 minutes, and a client-side
# read timeout below that would make botocore retry the invoke, running the tool again.
_LAMBDA_READ_TIMEOUT_S = 15 * 60 + 30


def get_gateway() -> Gateway:
    """The process-wide gateway, configured from the environment on first use."""
    global _gateway
    if _gateway is None:
        _gateway = Gateway()
    return _gateway


def set_gateway(gateway: Gateway | None) -> None:
    """Install a preconfigured gateway (tests, local mode); None resets to the default."""
    global _gateway
    _gateway = gateway


def set_platform_clients(**clients: Any) -> None:
    """Inject ``s3``/``lambda``/``stepfunctions`` clients and/or a ``store`` (tests); empty resets
    them and the definition cache."""
    _clients.clear()
    _clients.update(clients)
    _definitions.clear()


def _client(name: str) -> Any:
    if name not in _clients:
        import boto3
        from botocore.config import Config

        config = None
        if name == "lambda":  # standard retries: throttling and 5xx, never a read timeout
            config = Config(read_timeout=_LAMBDA_READ_TIMEOUT_S, retries={"mode": "standard"})
        _clients[name] = boto3.client(name, config=config)
    return _clients[name]


def _store() -> ContentStore | None:
    if "store" not in _clients:
        store = ContentStore.from_env()
        if store is not None:
            store._client = _clients.get("s3")
        _clients["store"] = store
    return _clients["store"]


def _executions(context: Any) -> AgentExecutions:
    identity = GatewayIdentity.of(context, os.environ.get("SFA_ENV") or "dev")
    return AgentExecutions(_client("stepfunctions"), identity, _definitions)


def _platform_op(op: Any, event: dict[str, Any], context: Any) -> Any:
    if op == "invoke_tool":
        executions = _executions(context)
        if executions.identity is None:
            raise ToolNotAllowed(f"invoke_tool: {UNKNOWN_IDENTITY}")
        cap = ToolCap.for_gateway(executions.identity)
        return invoke_tool(event, _store(), _client("lambda"), cap, executions)
    if op == "continue":
        return continue_conversation(event, _store(), _executions(context))
    raise InvalidRequest(f"unknown platform operation {str(op)[:100]!r}")


def handler(event: dict[str, Any], context: Any = None) -> Any:
    deadline = None
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        deadline = time.monotonic() + remaining() / 1000.0 - _SAFETY_MARGIN_S
    if context is not None and hasattr(context, "aws_request_id"):
        logger.append_keys(request_id=context.aws_request_id)
    op = event.get("sfa_op") if isinstance(event, dict) else None
    try:
        if op is not None:
            return _platform_op(op, event, context)
        store, limits = _store(), ContentLimits.from_env()
        ref_messages = event.get("messages") if isinstance(event.get("messages"), list) else []
        request = prepare_request(event, store, limits)
        response = get_gateway().complete(request, deadline=deadline).to_dict()
        return finish_response(response, ref_messages, store, limits)
    except Exception as exc:  # the one seam for the gateway's own AWS calls (S3, Lambda, Step Functions)
        mapped = aws_error(exc)
        if mapped is None:
            raise
        raise mapped from None
