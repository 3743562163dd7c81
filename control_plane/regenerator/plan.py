"""The pure core: render an agent from candidate tools and decide what a rollout must do.

``render`` resolves the spec's selectors (SemVer ranges over active versions; deprecated allowed
with a warning), renders the JSONata definition, hashes it, and derives the IAM grants and the
policy layout (which raises ``PolicyTooLargeError`` before anything is deployed). ``decide``
compares the result with the agent's derived state:

* ``skip``: the live definition, grants and recorded state already match — no AWS call at all;
* ``record``: the deployment matches but the recorded state does not (a spec change that does not
  change the definition, a tool turned deprecated, a recovered failure) — one DynamoDB write;
* ``deploy``: the rollout (grant → publish → move alias → revoke), each step skipped when done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from agent_templates import AgentSpec, RenderOptions, ResolvedTool, definition_json, resolve_tools
from control_plane.agents.iam import PolicyPlan, grants_for, plan_policies
from control_plane.agents.records import AgentRecord, ToolRef
from control_plane.regenerator.config import RegeneratorConfig

__all__ = ["Decision", "Rendered", "decide", "render"]

Decision = Literal["skip", "record", "deploy"]


@dataclass(frozen=True)
class Rendered:
    """An agent rendered from the registry as it is now."""

    spec: AgentSpec
    tools: tuple[ResolvedTool, ...]
    definition: str
    sha256: str
    grants: frozenset[str]
    policy: PolicyPlan
    warnings: tuple[str, ...]

    @property
    def tool_refs(self) -> list[ToolRef]:
        return [
            ToolRef(name=t.name, version=t.version, lambda_arn=t.lambda_arn, status=t.status)
            for t in self.tools
        ]


def render(
    spec: AgentSpec,
    candidates: Iterable[ResolvedTool],
    config: RegeneratorConfig,
    *,
    options: RenderOptions | None = None,
) -> Rendered:
    """Resolve + render + size the grants. Raises ``ToolResolutionError``, ``RenderError`` or
    ``PolicyTooLargeError`` (deterministic problems of the spec or registry: not retryable)."""
    options = options or config.render_options
    resolution = resolve_tools(spec, candidates).raise_for_problems()
    text = definition_json(spec, resolution.tools, config.gateway_arn, options=options)
    grants = grants_for(spec, resolution.tools, config.gateway_arn, options)
    policy = plan_policies(
        grants, env=config.env, region=config.region, account=config.account_id, partition=config.partition
    )
    return Rendered(
        spec=spec,
        tools=resolution.tools,
        definition=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        grants=grants,
        policy=policy,
        warnings=tuple(str(w) for w in resolution.warnings),
    )


def decide(record: AgentRecord, rendered: Rendered) -> Decision:
    deployed = (
        record.live_version_arn is not None
        and record.definition_sha256 == rendered.sha256
        and frozenset(record.granted) == rendered.grants
    )
    if not deployed:
        return "deploy"
    converged = (
        record.status == "ready"
        and record.rendered_generation == record.generation
        and record.resolved_tools == rendered.tool_refs
        and tuple(record.warnings) == rendered.warnings
        and record.pending_version is None
    )
    return "skip" if converged else "record"
