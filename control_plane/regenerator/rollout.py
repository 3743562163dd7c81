"""The rollout executor: the safe order of docs/design.md §1, every step skipped when already done.

``deploy``: (0) role (created with the boundary when missing) → (a) grant the union of the old and
new resources → (b) publish the new definition as a version (``UpdateStateMachine publish=true``,
or ``CreateStateMachine`` the first time) → (c) move the ``live`` alias → (d) revoke what only the
old version needed. ``Progress`` records how far it got, so a failure can be written down exactly
(the alias stays on the last good version unless step (c) completed) and the retry resumes: a
version published by a failed attempt is reused instead of published again.

Then, once the rollout is recorded, :meth:`Rollout.prune` deletes old versions. The rollout has
succeeded by then, so a pruning failure does not fail it: ``Progress.prune_error`` records it and
the next rollout prunes again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from control_plane.agents.records import AgentRecord
from control_plane.aws import call
from control_plane.deployment import AGENT_LIVE_ALIAS, agent_state_machine_name
from control_plane.errors import AwsError, AwsResourceNotFoundError
from control_plane.regenerator.config import RegeneratorConfig
from control_plane.regenerator.plan import Rendered
from control_plane.regenerator.prune import VersionPruner, needs_pruning
from control_plane.regenerator.roles import MANAGED_BY, AgentRoles

__all__ = ["Progress", "Rollout"]

# Right after CreateRole, Step Functions may not be able to assume the role yet (IAM is eventually
# consistent): CreateStateMachine answers AccessDeniedException/InvalidArn for a few seconds.
_PROPAGATION_CODES = {"AccessDeniedException", "AccessDenied", "InvalidArn"}
# Step Functions' own "not found" codes (control_plane.aws maps only the generic ones).
_GONE_CODES = {"StateMachineDoesNotExist", "ResourceNotFound", "ResourceNotFoundException"}


@dataclass
class Progress:
    """What is deployed, as known so far (starts from the agent's derived state)."""

    step: str = "start"
    role_arn: str | None = None
    state_machine_arn: str | None = None
    alias_arn: str | None = None
    live_version_arn: str | None = None
    previous_version_arn: str | None = None
    definition_sha256: str | None = None
    granted: frozenset[str] = frozenset()
    managed_policies: list[str] = field(default_factory=list)
    policy_mode: str | None = None
    policy_chars: int | None = None
    version_arn: str | None = None
    alias_moved: bool = False
    pruned: tuple[str, ...] = ()  # versions this rollout's prune deleted
    prune_error: str | None = None  # why pruning failed (the rollout itself succeeded)

    @classmethod
    def from_record(cls, record: AgentRecord) -> Progress:
        return cls(
            role_arn=record.role_arn,
            state_machine_arn=record.state_machine_arn,
            alias_arn=record.alias_arn,
            live_version_arn=record.live_version_arn,
            previous_version_arn=record.previous_version_arn,
            definition_sha256=record.definition_sha256,
            granted=frozenset(record.granted),
            managed_policies=list(record.managed_policies),
            policy_mode=record.policy_mode,
            policy_chars=record.policy_chars,
        )


class Rollout:
    """Performs rollouts and teardowns with injected ``stepfunctions`` and ``iam`` clients."""

    def __init__(
        self,
        config: RegeneratorConfig,
        sfn: Any,
        iam: Any,
        *,
        sleep: Callable[[float], None] = time.sleep,
        propagation_attempts: int = 6,
    ) -> None:
        self.config = config
        self.sfn = sfn
        self.roles = AgentRoles(iam, config)
        self.pruner = VersionPruner(sfn, config.versions_kept)
        self._sleep = sleep
        self._propagation_attempts = propagation_attempts

    def state_machine_arn(self, agent: str) -> str:
        c = self.config
        name = agent_state_machine_name(agent, c.env)
        return f"arn:{c.partition}:states:{c.region}:{c.account_id}:stateMachine:{name}"

    def deploy(self, record: AgentRecord, rendered: Rendered, p: Progress) -> None:
        agent = record.agent_name
        p.step = "role"
        if not p.role_arn:
            p.role_arn = self.roles.ensure(agent)
        p.step = "grant"
        union = p.granted | rendered.grants
        if union != p.granted or p.policy_mode is None:
            self._put(agent, union, p)
        if p.definition_sha256 != rendered.sha256 or p.live_version_arn is None:
            p.step = "publish"
            pending = record.pending_version
            if pending is not None and pending.definition_sha256 == rendered.sha256:
                p.version_arn = pending.version_arn
            else:
                p.version_arn = self._publish(record, rendered, p)
            p.step = "alias"
            self._move_alias(agent, p)
            p.previous_version_arn = p.live_version_arn
            p.live_version_arn, p.definition_sha256, p.alias_moved = p.version_arn, rendered.sha256, True
        p.step = "revoke"
        if p.granted != rendered.grants:
            self._put(agent, rendered.grants, p)
        p.step = "done"

    def teardown(self, record: AgentRecord, p: Progress) -> None:
        """Delete the alias, the state machine (with its versions) and the role with its policies."""
        agent = record.agent_name
        sm_arn = p.state_machine_arn or self.state_machine_arn(agent)
        p.step = "alias"
        self._delete(self.sfn.delete_state_machine_alias, stateMachineAliasArn=f"{sm_arn}:{AGENT_LIVE_ALIAS}")
        p.alias_arn = p.live_version_arn = None
        p.step = "state_machine"
        self._delete(self.sfn.delete_state_machine, stateMachineArn=sm_arn)
        p.state_machine_arn = None
        p.step = "role"
        self.roles.delete(agent, p.managed_policies)
        p.role_arn, p.granted, p.managed_policies = None, frozenset(), []
        p.step = "done"

    def prune(self, p: Progress) -> None:
        """After a successful rollout: delete old versions, never ``live``'s nor the previous one
        (an immediate rollback). Never raises: a failure is left in ``p.prune_error``."""
        if p.state_machine_arn is None or not needs_pruning(p.live_version_arn, self.config.versions_kept):
            return
        try:
            result = self.pruner.prune(p.state_machine_arn, (p.live_version_arn, p.previous_version_arn))
        except Exception as exc:  # housekeeping after a rollout that succeeded: record, never raise
            p.prune_error = f"{type(exc).__name__}: {exc}"
            return
        p.pruned = result.deleted

    # -- steps -------------------------------------------------------------------------------------

    @staticmethod
    def _delete(method: Any, **params: Any) -> None:
        try:
            call(method, **params)
        except AwsError as exc:
            if not isinstance(exc, AwsResourceNotFoundError) and exc.code not in _GONE_CODES:
                raise

    def _put(self, agent: str, grants: frozenset[str], p: Progress) -> None:
        applied = self.roles.put(agent, grants, p.managed_policies)
        p.granted, p.managed_policies = grants, applied.managed
        p.policy_mode, p.policy_chars = applied.mode, applied.chars

    def _publish(self, record: AgentRecord, rendered: Rendered, p: Progress) -> str:
        description = f"definition sha256 {rendered.sha256[:16]}, spec generation {record.generation}"
        if p.state_machine_arn is None and not self._adopt(record.agent_name, p):
            created = self._create(record.agent_name, rendered, p, description)
            if created:
                return created
        response = call(
            self.sfn.update_state_machine,
            stateMachineArn=p.state_machine_arn,
            definition=rendered.definition,
            roleArn=p.role_arn,
            publish=True,
            versionDescription=description,
        )
        return response["stateMachineVersionArn"]

    def _adopt(self, agent: str, p: Progress) -> bool:
        """Whether the state machine exists already (derived state lost after a crash): then it is
        updated, never re-created (CreateStateMachine is only idempotent for an equal definition)."""
        arn = self.state_machine_arn(agent)
        try:
            call(self.sfn.describe_state_machine, stateMachineArn=arn)
        except AwsError as exc:
            if isinstance(exc, AwsResourceNotFoundError) or exc.code in _GONE_CODES:
                return False
            raise
        p.state_machine_arn = arn
        return True

    def _create(self, agent: str, rendered: Rendered, p: Progress, description: str) -> str | None:
        """Create the state machine (first version); ``None`` when it already existed (update it)."""
        c = self.config
        params = {
            "name": agent_state_machine_name(agent, c.env),
            "definition": rendered.definition,
            "roleArn": p.role_arn,
            "type": "STANDARD",
            "publish": True,
            "versionDescription": description,
            "tags": [
                {"key": "sfa:agent", "value": agent},
                {"key": "sfa:env", "value": c.env},
                {"key": "sfa:managed-by", "value": MANAGED_BY},
            ],
        }
        for attempt in range(self._propagation_attempts):
            try:
                response = call(self.sfn.create_state_machine, **params)
                p.state_machine_arn = response["stateMachineArn"]
                return response.get("stateMachineVersionArn")
            except AwsError as exc:
                if exc.code == "StateMachineAlreadyExists":
                    p.state_machine_arn = self.state_machine_arn(agent)
                    return None
                if exc.code not in _PROPAGATION_CODES:
                    raise
                if attempt + 1 == self._propagation_attempts:
                    # indistinguishable from a role IAM has not propagated yet: let the stream retry
                    exc.retryable = True
                    raise
                self._sleep(min(2.0**attempt, 10.0))
        raise AssertionError("unreachable")

    def _move_alias(self, agent: str, p: Progress) -> None:
        assert p.state_machine_arn and p.version_arn
        routing = [{"stateMachineVersionArn": p.version_arn, "weight": 100}]
        alias_arn = p.alias_arn or f"{p.state_machine_arn}:{AGENT_LIVE_ALIAS}"
        if p.alias_arn is None:
            try:
                response = call(
                    self.sfn.create_state_machine_alias,
                    name=AGENT_LIVE_ALIAS,
                    description=f"The version of agent {agent} that runs",
                    routingConfiguration=routing,
                )
                p.alias_arn = response["stateMachineAliasArn"]
                return
            except AwsError as exc:
                if exc.code not in ("ConflictException", "ResourceAlreadyExists"):
                    raise
        call(
            self.sfn.update_state_machine_alias, stateMachineAliasArn=alias_arn, routingConfiguration=routing
        )
        p.alias_arn = alias_arn
