"""Agent roles in IAM: ``agent-{name}-{env}``, trusted by Step Functions for that agent's state
machine only (``aws:SourceArn``/``aws:SourceAccount``), capped by the boundary.

Grants are put in an order that never leaves a needed permission missing, so running executions
keep working during a change: new managed policies are created and attached first, then the inline
policy is replaced (atomic), then managed policies that are no longer used are detached and deleted.
Managed policies are content-addressed (``agent-{name}-{env}-{sha12}`` under ``/sfa-agents/``): a
retry re-creates nothing, and a document never changes in place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from control_plane.agents.iam import (
    INLINE_POLICY_NAME,
    MANAGED_DIGEST_CHARS,
    MANAGED_POLICY_PATH,
    managed_policy_name,
    plan_policies,
    trust_policy_document,
)
from control_plane.aws import call
from control_plane.deployment import agent_role_name
from control_plane.errors import AwsError, AwsResourceNotFoundError
from control_plane.regenerator.config import RegeneratorConfig
from control_plane.regenerator.errors import RoleNameTakenError

__all__ = ["AgentRoles", "AppliedPolicy"]

MANAGED_BY = "sfa-regenerator"


@dataclass(frozen=True)
class AppliedPolicy:
    mode: str
    chars: int
    managed: list[str]


def _compact(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


class AgentRoles:
    """Creates, updates and deletes agent roles with an injected ``iam`` client."""

    def __init__(self, iam: Any, config: RegeneratorConfig) -> None:
        self.iam = iam
        self.config = config

    def role_name(self, agent: str) -> str:
        return agent_role_name(agent, self.config.env)

    def trust_policy(self, agent: str) -> dict[str, Any]:
        c = self.config
        return trust_policy_document(
            agent, c.env, region=c.region, account=c.account_id, partition=c.partition
        )

    def ensure(self, agent: str) -> str:
        """The role's ARN; created (with the permissions boundary) when missing. An existing role is
        adopted only if it is this agent's (its ``sfa:agent``/``sfa:env`` tags): IAM role names are
        case-insensitive, so ``agent-Trip-dev`` exists when ``agent-trip-dev`` does."""
        name = self.role_name(agent)
        try:
            response = call(
                self.iam.create_role,
                RoleName=name,
                AssumeRolePolicyDocument=_compact(self.trust_policy(agent)),
                PermissionsBoundary=self.config.boundary_arn,
                Description=f"sfn-agents agent {agent} ({self.config.env}); managed by the regenerator",
                Tags=[
                    {"Key": "sfa:agent", "Value": agent},
                    {"Key": "sfa:env", "Value": self.config.env},
                    {"Key": "sfa:managed-by", "Value": MANAGED_BY},
                ],
            )
            return response["Role"]["Arn"]
        except AwsError as exc:
            if exc.code != "EntityAlreadyExists":
                raise
        role = call(self.iam.get_role, RoleName=name)["Role"]
        tags = {t.get("Key"): t.get("Value") for t in role.get("Tags") or []}
        if (tags.get("sfa:agent"), tags.get("sfa:env")) != (agent, self.config.env):
            raise RoleNameTakenError(
                f"IAM role {role.get('RoleName', name)} exists but is not agent {agent!r}'s in "
                f"{self.config.env} (tags sfa:agent={tags.get('sfa:agent')!r}, "
                f"sfa:env={tags.get('sfa:env')!r}); role names are case-insensitive: rename the agent"
            )
        if (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") != self.config.boundary_arn:
            call(
                self.iam.put_role_permissions_boundary,
                RoleName=name,
                PermissionsBoundary=self.config.boundary_arn,
            )
        return role["Arn"]

    def put(self, agent: str, grants: frozenset[str], previous_managed: list[str]) -> AppliedPolicy:
        """Make the role grant exactly ``grants`` (layout from ``plan_policies``)."""
        cfg = self.config
        plan = plan_policies(
            grants, env=cfg.env, region=cfg.region, account=cfg.account_id, partition=cfg.partition
        )
        role = self.role_name(agent)
        managed: list[str] = []
        for document in plan.managed:
            arn = self._managed_policy(agent, document)
            if arn not in previous_managed:
                call(self.iam.attach_role_policy, RoleName=role, PolicyArn=arn)
            managed.append(arn)
        call(
            self.iam.put_role_policy,
            RoleName=role,
            PolicyName=INLINE_POLICY_NAME,
            PolicyDocument=_compact(plan.inline),
        )
        for arn in previous_managed:
            if arn not in managed:
                self._drop_managed(role, arn)
        return AppliedPolicy(plan.mode, plan.total_chars, managed)

    def delete(self, agent: str, managed: list[str]) -> None:
        """Delete the role, its inline policy and its managed policies (missing ones are fine)."""
        role = self.role_name(agent)
        with contextlib.suppress(AwsResourceNotFoundError):
            call(self.iam.delete_role_policy, RoleName=role, PolicyName=INLINE_POLICY_NAME)
        for arn in managed:
            self._drop_managed(role, arn)
        with contextlib.suppress(AwsResourceNotFoundError):
            call(self.iam.delete_role, RoleName=role)

    def _managed_policy(self, agent: str, document: dict[str, Any]) -> str:
        text = _compact(document)
        digest = hashlib.sha256(text.encode()).hexdigest()[:MANAGED_DIGEST_CHARS]
        name = managed_policy_name(agent, self.config.env, digest)
        arn = f"arn:{self.config.partition}:iam::{self.config.account_id}:policy{MANAGED_POLICY_PATH}{name}"
        try:
            call(
                self.iam.create_policy,
                PolicyName=name,
                Path=MANAGED_POLICY_PATH,
                PolicyDocument=text,
                Description=f"sfn-agents agent {agent}: invoke grants (content-addressed)",
            )
        except AwsError as exc:
            if exc.code != "EntityAlreadyExists":
                raise
        return arn

    def _drop_managed(self, role: str, arn: str) -> None:
        for method, params in (
            (self.iam.detach_role_policy, {"RoleName": role, "PolicyArn": arn}),
            (self.iam.delete_policy, {"PolicyArn": arn}),
        ):
            with contextlib.suppress(AwsResourceNotFoundError):
                call(method, **params)
