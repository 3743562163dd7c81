"""Names of the platform's deployed resources, shared by the CDK app (infra) and local mode.

One place so that local mode creates exactly what the AWS deployment has (design.md §8, §9).
Handler entry points are the ``module.function`` strings Lambda runs.
"""

from __future__ import annotations

__all__ = [
    "AGENT_LIVE_ALIAS",
    "CONTENT_EXPIRATION_DAYS",
    "CONTENT_PREFIX",
    "GATEWAY_HANDLER",
    "RECONCILER_HANDLER",
    "REGENERATOR_HANDLER",
    "REGISTRAR_HANDLER",
    "agent_boundary_policy_name",
    "agent_role_name",
    "agent_state_machine_name",
    "content_bucket_name",
    "gateway_function_name",
    "infrastructure_secret_name",
    "llm_secret_name",
    "reconciler_function_name",
    "regenerator_function_name",
    "registrar_function_name",
    "tool_function_name",
    "tool_secret_name",
]

REGISTRAR_HANDLER = "control_plane.registrar.handler.lambda_handler"
REGENERATOR_HANDLER = "control_plane.regenerator.handler.handler"
RECONCILER_HANDLER = "control_plane.reconciler.handler.lambda_handler"
GATEWAY_HANDLER = "llm_gateway.handler.handler"
AGENT_LIVE_ALIAS = "live"
CONTENT_PREFIX = "content"  # tool_sdk.content.DEFAULT_PREFIX: the only prefix references may name
CONTENT_EXPIRATION_DAYS = 30  # the content bucket's lifecycle rule (offloaded payloads expire)


def registrar_function_name(env: str) -> str:
    return f"sfa-registrar-{env}"


def regenerator_function_name(env: str) -> str:
    return f"sfa-regenerator-{env}"


def reconciler_function_name(env: str) -> str:
    return f"sfa-reconciler-{env}"


def gateway_function_name(env: str) -> str:
    return f"sfa-llm-gateway-{env}"


def tool_function_name(tool_id: str, env: str) -> str:
    """The naming convention for tool functions; any tagged function registers, this one scopes IAM."""
    return f"tool-{tool_id}-{env}"


def agent_state_machine_name(agent: str, env: str) -> str:
    return f"agent-{agent}-{env}"


def agent_role_name(agent: str, env: str) -> str:
    return f"agent-{agent}-{env}"


def agent_boundary_policy_name(env: str) -> str:
    """The permissions boundary every agent role carries (caps it at invoke/publish/log)."""
    return f"sfa-agent-boundary-{env}"


def llm_secret_name(env: str) -> str:
    return f"/ai-agent/llm-secrets/{env}"


def tool_secret_name(tool_name: str, env: str) -> str:
    return f"/ai-agent/tools/{tool_name}/{env}"


def infrastructure_secret_name(env: str) -> str:
    return f"/ai-agent/infrastructure/{env}"


def content_bucket_name(account: str, region: str, env: str) -> str:
    """The platform's content bucket (large payloads by reference, docs/large-payloads.md)."""
    return f"sfa-content-{account}-{region}-{env}"
