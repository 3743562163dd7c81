"""The one place where the CDK app reads the runtime packages' contracts (docs/design.md §10).

``infra`` may import constants and asset paths of ``control_plane`` and ``llm_gateway``, never their
runtime code paths. Everything the stacks need from them goes through this module, so a change of
contract upstream is a change here only: resource names and handler entry points
(``control_plane.deployment``), the registry tables' ``CreateTable`` specs
(``control_plane.registry.table``), the registrar's EventBridge pattern
(``control_plane.registrar.trigger``), the registry bus's source and detail types
(``control_plane.events``), the environment-name rule (``control_plane.config``) and the gateway's
secret naming (``llm_gateway.config``).

Values marked ``ASSUMED`` are contracts the runtime side has not shipped yet (the gateway's
SnapStart hook, the agent-spec custom resource); they are defined here, once, until they land
upstream.

Importing the upstream modules runs their packages' ``__init__`` (which imports boto3 and
pydantic); no AWS call is made and nothing is configured at import time.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from control_plane import deployment as _deployment
from control_plane.agents.iam import MANAGED_POLICY_PATH as AGENT_POLICY_PATH
from control_plane.config import ENV_PATTERN, registry_bus_name
from control_plane.events.models import EVENT_SOURCE as REGISTRY_EVENT_SOURCE
from control_plane.events.parse import DETAIL_TYPES as _DETAIL_TYPES
from control_plane.registrar.trigger import REGISTRAR_EVENT_PATTERN as _REGISTRAR_EVENT_PATTERN
from control_plane.registry.table import agent_registry_table_spec, tool_registry_table_spec

__all__ = [
    "AGENT_LIVE_ALIAS",
    "AGENT_POLICY_PATH",
    "AGENT_SPEC_HANDLER",
    "CONTROL_PLANE_ENV",
    "GATEWAY_ENV",
    "GATEWAY_HANDLER",
    "GATEWAY_PRELOAD_ENV",
    "METRICS_NAMESPACE",
    "RECONCILER_HANDLER",
    "REGENERATOR_HANDLER",
    "REGISTRAR_HANDLER",
    "REGISTRY_EVENT_SOURCE",
    "REGISTRY_EVENT_TYPES",
    "agent_registry_table_spec",
    "agent_spec_function_name",
    "check_env",
    "names",
    "registrar_event_pattern",
    "registry_bus_name",
    "tool_registry_table_spec",
]

names = _deployment
"""Resource names (``names.tool_function_name(tool_id, env)``, ``names.llm_secret_name(env)`` …)."""

REGISTRAR_HANDLER: str = _deployment.REGISTRAR_HANDLER
REGENERATOR_HANDLER: str = _deployment.REGENERATOR_HANDLER
RECONCILER_HANDLER: str = _deployment.RECONCILER_HANDLER
GATEWAY_HANDLER: str = _deployment.GATEWAY_HANDLER
AGENT_LIVE_ALIAS: str = _deployment.AGENT_LIVE_ALIAS

REGISTRY_EVENT_TYPES: tuple[str, ...] = tuple(sorted(_DETAIL_TYPES))
"""Every detail type published on ``sfa-registry-{env}`` (docs/design.md §5)."""

METRICS_NAMESPACE = "SfnAgents"
"""CloudWatch namespace of the platform's Powertools metrics (the handlers' ``Metrics(namespace=…)``)."""

_ENV_RE = re.compile(ENV_PATTERN)


class CONTROL_PLANE_ENV:
    """Environment variables the control-plane Lambdas read (``control_plane.config``,
    ``control_plane.regenerator.config``)."""

    ENV = "SFA_ENV"
    TOOL_TABLE = "SFA_TOOL_REGISTRY_TABLE"
    AGENT_TABLE = "SFA_AGENT_REGISTRY_TABLE"
    BUS_NAME = "SFA_REGISTRY_BUS_NAME"
    ALLOWED_PREFIXES = "SFA_REGISTRAR_ALLOWED_PREFIXES"
    RELEASE_GRACE_SECONDS = "SFA_RELEASE_GRACE_SECONDS"
    RECHECK_QUEUE_URL = "SFA_REGISTRAR_RECHECK_QUEUE_URL"
    GATEWAY_FUNCTION_ARN = "SFA_GATEWAY_FUNCTION_ARN"
    AGENT_BOUNDARY_ARN = "SFA_AGENT_BOUNDARY_POLICY_ARN"
    RENDER_OPTIONS = "SFA_AGENT_RENDER_OPTIONS"
    LEASE_SECONDS = "SFA_REGENERATOR_LEASE_SECONDS"
    CONTENT_BUCKET = "SFA_CONTENT_BUCKET"  # set: agents render with offload on by default


class GATEWAY_ENV:
    """Environment variables the gateway reads (``llm_gateway.config``)."""

    ENV = "SFA_ENV"
    SECRET_NAME = "SFA_LLM_SECRET_NAME"
    CONTENT_BUCKET = "SFA_CONTENT_BUCKET"
    EXTRA_TOOL_ARNS = "SFA_EXTRA_TOOL_FUNCTION_ARNS"  # tools the invoker may call besides tool-*-{env}
    ALIASES = "SFA_LLM_ALIASES"
    TIMEOUT_S = "SFA_LLM_TIMEOUT_S"
    BEDROCK_REGION = "SFA_BEDROCK_REGION"


GATEWAY_PRELOAD_ENV = "SFA_LLM_PRELOAD_PROVIDERS"
"""ASSUMED: comma-separated providers whose SDKs the gateway's SnapStart hook imports before the
snapshot (``llm_gateway.snapstart``, proposed; see docs/deploy.md)."""

AGENT_SPEC_HANDLER = "control_plane.agents.custom_resource.on_event"
"""ASSUMED: the CloudFormation custom-resource handler behind the ``Agent`` construct (a CDK
``custom_resources.Provider`` onEvent handler: Create/Update → ``apply_agent``, Delete →
``delete_agent``; properties ``SpecJson`` and ``SpecSha256``)."""


def agent_spec_function_name(env: str) -> str:
    """ASSUMED: the provider function ``Agent`` constructs use as their ServiceToken (by name, so
    any stack of the account and region can declare agents without cross-stack references)."""
    return f"sfa-agent-specs-{env}"


def check_env(env: str) -> str:
    """``env`` if it is a valid environment name (``control_plane.config.ENV_PATTERN``), else ValueError."""
    if not _ENV_RE.match(env):
        raise ValueError(
            f"environment name {env!r} must match {ENV_PATTERN}: lowercase letters and digits, no '-'"
        )
    return env


def registrar_event_pattern() -> dict[str, Any]:
    """A copy of the registrar's EventBridge pattern (CloudTrail Lambda API calls, by prefix)."""
    return copy.deepcopy(_REGISTRAR_EVENT_PATTERN)
