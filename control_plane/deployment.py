"""Names of the platform's deployed resources, shared by the CDK app (infra) and local mode.

One place so that local mode creates exactly what the AWS deployment has (docs/design.md §8, §9).
Handler entry points are the ``module.function`` strings Lambda runs.

**Names are unambiguous across environments.** Per-environment resources are named
``{kind}-{name}-{env}`` (``agent-trip-planner-prod``, ``tool-convert-units-prod``), and environment
names are lowercase letters and digits only (``control_plane.config.ENV_PATTERN``: no ``-``). So the
environment is always the text after the *last* ``-``, and :func:`split_env_suffix` recovers
``(name, env)`` from a resource name: two (name, env) pairs never share a resource name (agent
``x-pre`` in ``prod`` and agent ``x`` in ``pre-prod`` cannot both exist: ``pre-prod`` is not an
environment name). IAM patterns ``agent-*-{env}`` and ``tool-*-{env}`` therefore match only that
environment's resources: a ``*`` inside an ARN segment does not cross ``:``, and what it spans is
followed by ``-{env}`` at the end of the name, which no other environment's name ends with.
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
    "is_tool_function_name",
    "llm_secret_name",
    "reconciler_function_name",
    "regenerator_function_name",
    "registrar_function_name",
    "split_env_suffix",
    "tool_function_name",
    "tool_function_pattern",
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
    """The naming convention for tool functions: the registrar's default scope (only these register
    in ``env``, ``control_plane.config.ControlPlaneConfig.function_allowed``) and the agents' IAM cap."""
    return f"tool-{tool_id}-{env}"


def tool_function_pattern(env: str) -> str:
    """``tool-*-{env}``: every tool function of ``env`` (and of no other environment)."""
    return tool_function_name("*", env)


def split_env_suffix(name: str) -> tuple[str, str]:
    """``(rest, env)`` of a name ending in ``-{env}`` (``agent-x-pre-prod`` → ``("agent-x-pre", "prod")``).

    Environment names hold no ``-``, so the split at the last ``-`` is the only one; ValueError when
    ``name`` has no ``-``."""
    rest, sep, env = name.rpartition("-")
    if not sep or not rest or not env:
        raise ValueError(f"{name!r} does not end in -<env>")
    return rest, env


def is_tool_function_name(function_name: str, env: str) -> bool:
    """Whether ``function_name`` is ``tool-<id>-{env}`` (a non-empty id; this environment only)."""
    try:
        rest, suffix = split_env_suffix(function_name)
    except ValueError:
        return False
    return suffix == env and rest.startswith("tool-") and len(rest) > len("tool-")


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
