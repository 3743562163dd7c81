"""Render an agent's JSONata state machine: a pure function of (spec, resolved tools, gateway ARN).

``render_agent_definition`` returns the definition as a dict; ``definition_json`` is its canonical
text (sorted keys, compact, UTF-8) — what is deployed and hashed — and ``definition_sha256`` the
digest a regenerator compares to skip no-op updates. Equal inputs give byte-equal JSON: tools are
ordered by name whatever order they come in.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from agent_templates.errors import RenderError
from agent_templates.expressions import CALLING_EXECUTION
from agent_templates.history import history_limits
from agent_templates.jsonata import expr
from agent_templates.options import RenderOptions
from agent_templates.spec import AgentSpec
from agent_templates.states import agent_states
from agent_templates.tools import LAMBDA_ARN_PATTERN, ResolvedTool

__all__ = [
    "MAX_DEFINITION_BYTES",
    "canonical_json",
    "definition_json",
    "definition_sha256",
    "gateway_request",
    "render_agent_definition",
    "tool_routes",
]

MAX_DEFINITION_BYTES = 1_048_576  # Step Functions' definition size limit
_LAMBDA_ARN_RE = re.compile(LAMBDA_ARN_PATTERN)


def canonical_json(data: Any) -> str:
    """Sorted keys, no insignificant whitespace, non-ASCII kept: the deployed and hashed form."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sorted_unique(tools: Iterable[ResolvedTool]) -> list[ResolvedTool]:
    by_name: dict[str, ResolvedTool] = {}
    for tool in tools:
        if not isinstance(tool, ResolvedTool):
            raise RenderError(f"expected ResolvedTool, got {type(tool).__name__}")
        other = by_name.get(tool.name)
        if other is not None:
            raise RenderError(
                f"two resolved tools are named {tool.name!r} ({other.version} and {tool.version}): "
                "an agent uses exactly one version of each tool"
            )
        by_name[tool.name] = tool
    return [by_name[name] for name in sorted(by_name)]


def tool_routes(spec: AgentSpec, tools: Iterable[ResolvedTool], options: RenderOptions) -> dict[str, Any]:
    """``$tools``: name → ``{arn, version, timeout, approval?}`` (the Map's routing table)."""
    routes: dict[str, Any] = {}
    for tool in _sorted_unique(tools):
        route: dict[str, Any] = {
            "arn": tool.lambda_arn,
            "version": tool.version,
            "timeout": tool.timeout_seconds or options.default_tool_timeout_seconds,
        }
        if spec.approval.requires_approval(tool.name, tool.human_approval_required):
            route["approval"] = True
        routes[tool.name] = route
    return routes


def gateway_request(spec: AgentSpec, tools: Iterable[ResolvedTool]) -> dict[str, Any]:
    """The fixed part of every gateway request (docs/design.md §6); ``messages`` is added per call."""
    request: dict[str, Any] = {
        "model": spec.model,
        "system": spec.system,
        "tools": [tool.llm_spec() for tool in _sorted_unique(tools)],
        "max_tokens": spec.max_tokens,
    }
    if spec.fallbacks:
        request["fallbacks"] = list(spec.fallbacks)
    if spec.temperature is not None:
        request["temperature"] = spec.temperature
    return request


def _name_calling_execution(states: dict[str, Any]) -> None:
    """Every tool-invoker payload (``sfa_op: invoke_tool``, ``offload``) carries the calling
    execution's ARN: the gateway authorizes the call by that execution's definition
    (``llm_gateway.callers``), never by what the payload lists."""
    for state in states.values():
        processor = state.get("ItemProcessor")
        if isinstance(processor, dict):
            _name_calling_execution(processor.get("States", {}))
        arguments = state.get("Arguments")
        payload = arguments.get("Payload") if isinstance(arguments, dict) else None
        if isinstance(payload, dict) and payload.get("sfa_op") == "invoke_tool":
            payload.setdefault("execution_arn", expr(CALLING_EXECUTION))


def render_agent_definition(
    spec: AgentSpec,
    tools: Iterable[ResolvedTool],
    gateway_arn: str,
    *,
    options: RenderOptions | None = None,
) -> dict[str, Any]:
    """The agent's state machine definition (ASL, ``QueryLanguage: JSONata``) as a dict.

    Raises ``RenderError`` for a malformed gateway ARN, two tools with one name, a fixed gateway
    payload above ``options.max_static_payload_bytes``, or a definition above 1 MB.
    """
    options = options or RenderOptions()
    if not _LAMBDA_ARN_RE.match(gateway_arn):
        raise RenderError(f"not a Lambda function ARN: {gateway_arn!r}")
    tool_list = _sorted_unique(tools)
    request = gateway_request(spec, tool_list)
    if options.max_static_payload_bytes is not None:
        size = len(canonical_json(request).encode("utf-8"))
        if size > options.max_static_payload_bytes:
            raise RenderError(
                f"agent {spec.name!r}: the system prompt and {len(tool_list)} tool specs take {size} bytes "
                f"of every LLM request (limit {options.max_static_payload_bytes}; Step Functions caps "
                "state data at 256 KB): select fewer tools or shorten their schemas"
            )
    variables = {
        "tools": tool_routes(spec, tool_list, options),
        "limits": {
            "max_turns": spec.max_turns,
            "max_tokens_per_run": spec.max_tokens_per_run,
            "max_tool_result_chars": options.max_tool_result_chars,
            "history": history_limits(options),
        },
        "turns": 0,
        "tool_calls": 0,
        "usage": {"input_tokens": 0, "output_tokens": 0},
    }
    states = agent_states(
        agent_name=spec.name,
        gateway_arn=gateway_arn,
        request=request,
        variables=variables,
        approval_timeout_seconds=spec.approval.timeout_seconds,
        options=options,
    )
    _name_calling_execution(states)
    definition = {
        "Comment": f"sfn-agents agent {spec.name}: LLM loop with {len(tool_list)} tool(s) (rendered)",
        "QueryLanguage": "JSONata",
        "StartAt": "Start",
        "States": states,
    }
    size = len(canonical_json(definition).encode("utf-8"))
    if size > MAX_DEFINITION_BYTES:
        raise RenderError(
            f"agent {spec.name!r}: the definition is {size} bytes, above Step Functions' limit of "
            f"{MAX_DEFINITION_BYTES}: select fewer tools or shorten their specs"
        )
    return definition


def definition_json(
    spec: AgentSpec, tools: Iterable[ResolvedTool], gateway_arn: str, *, options: RenderOptions | None = None
) -> str:
    """The canonical JSON text of :func:`render_agent_definition` (deterministic for equal inputs)."""
    return canonical_json(render_agent_definition(spec, tools, gateway_arn, options=options))


def definition_sha256(
    spec: AgentSpec, tools: Iterable[ResolvedTool], gateway_arn: str, *, options: RenderOptions | None = None
) -> str:
    """SHA-256 (hex) of :func:`definition_json`: equal digests mean an identical deployment."""
    text = definition_json(spec, tools, gateway_arn, options=options)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
