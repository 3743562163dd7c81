"""agent_templates: agent specs and the JSONata state machine they render to (pure, no AWS calls).

Typical use (the regenerator)::

    spec = load_agent_spec("trip-planner.yaml")            # or validate_agent_spec(item["spec"])
    resolution = resolve_tools(spec, candidates).raise_for_problems()
    text = definition_json(spec, resolution.tools, gateway_arn, options=RenderOptions(env="prod"))
    digest = definition_sha256(spec, resolution.tools, gateway_arn, options=RenderOptions(env="prod"))
"""

from agent_templates.errors import (
    AgentSpecError,
    AgentSpecLoadError,
    AgentSpecValidationError,
    AgentTemplateError,
    RenderError,
    ToolResolutionError,
)
from agent_templates.iam import definition_policy_statements, invoked_function_arns
from agent_templates.options import RenderOptions, RetryPolicy
from agent_templates.render import (
    MAX_DEFINITION_BYTES,
    canonical_json,
    definition_json,
    definition_sha256,
    gateway_request,
    render_agent_definition,
    tool_routes,
)
from agent_templates.selectors import ToolSelector, parse_selector
from agent_templates.spec import AgentSpec, ApprovalPolicy, load_agent_spec, validate_agent_spec
from agent_templates.states import (
    APPROVAL_EVENT_DETAIL_TYPE,
    APPROVAL_EVENT_SCHEMA_VERSION,
    EVENT_SOURCE,
    GATEWAY_RETRYABLE_ERRORS,
)
from agent_templates.tools import ResolvedTool, ToolResolution, resolve_tools

__all__ = [
    "APPROVAL_EVENT_DETAIL_TYPE",
    "APPROVAL_EVENT_SCHEMA_VERSION",
    "EVENT_SOURCE",
    "GATEWAY_RETRYABLE_ERRORS",
    "MAX_DEFINITION_BYTES",
    "AgentSpec",
    "AgentSpecError",
    "AgentSpecLoadError",
    "AgentSpecValidationError",
    "AgentTemplateError",
    "ApprovalPolicy",
    "RenderError",
    "RenderOptions",
    "ResolvedTool",
    "RetryPolicy",
    "ToolResolution",
    "ToolResolutionError",
    "ToolSelector",
    "canonical_json",
    "definition_json",
    "definition_policy_statements",
    "definition_sha256",
    "gateway_request",
    "invoked_function_arns",
    "load_agent_spec",
    "parse_selector",
    "render_agent_definition",
    "resolve_tools",
    "tool_routes",
    "validate_agent_spec",
]
