"""IAM documents of agent roles: trust, permissions boundary, and grants sized to IAM's limits.

Grants are a set of resources (Lambda function ARNs → ``lambda:InvokeFunction``, event bus ARNs →
``events:PutEvents``), taken from ``agent_templates.iam.definition_policy_statements``. IAM limits
(not enforced by moto, so checked here): inline policies ≤ 10,240 characters per role, managed
policies ≤ 6,144 each, 10 managed policies per role (whitespace does not count; documents are
compact JSON). :func:`plan_policies` picks the tightest layout that fits:

1. ``exact``: every resource in the inline policy;
2. ``wildcard``: published versions of functions that follow the naming convention ``tool-*-{env}``
   (same account and region, ``…:function:tool-x-{env}:7``) collapse into the nine version patterns
   ``…:function:tool-*-{env}:1*`` … ``:9*``; the rest stay exact, inline;
3. ``managed``: as 2, with the exact resources that do not fit inline packed into managed policies;
4. more than 10 managed policies' worth: :class:`PolicyTooLargeError`.

Tools are granted only by published version (``agent_templates.ResolvedTool``): a version is a
positive integer without a leading zero, so ``:1*`` … ``:9*`` match every version and never
``$LATEST`` or an alias starting with a letter — unlike ``tool-*-{env}`` (``$LATEST``) or ``:*``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from agent_templates import AgentSpec, RenderOptions, ResolvedTool
from agent_templates.iam import definition_policy_statements
from control_plane.agents.errors import PolicyTooLargeError
from control_plane.deployment import agent_role_name, agent_state_machine_name, gateway_function_name

__all__ = [
    "INLINE_LIMIT",
    "INLINE_POLICY_NAME",
    "MANAGED_DIGEST_CHARS",
    "MANAGED_LIMIT",
    "MANAGED_POLICY_PATH",
    "MAX_MANAGED_POLICIES",
    "PUBLISHED_VERSION_WILDCARDS",
    "PolicyPlan",
    "boundary_policy_document",
    "grants_for",
    "managed_policy_name",
    "plan_policies",
    "policy_chars",
    "trust_policy_document",
    "version_patterns",
]

INLINE_LIMIT = 10_240
MANAGED_LIMIT = 6_144
MAX_MANAGED_POLICIES = 10
INLINE_POLICY_NAME = "sfa-agent-grants"
MANAGED_POLICY_PATH = "/sfa-agents/"
MANAGED_DIGEST_CHARS = 12
_VERSION = "2012-10-17"
PUBLISHED_VERSION_WILDCARDS: tuple[str, ...] = tuple(f"{digit}*" for digit in "123456789")
"""Qualifiers that match every published Lambda version (1, 2, …) and no ``$LATEST``/letter alias."""


def version_patterns(function_pattern: str) -> list[str]:
    """``function_pattern:1*`` … ``:9*``: every published version of the functions it names."""
    return [f"{function_pattern}:{wildcard}" for wildcard in PUBLISHED_VERSION_WILDCARDS]


def policy_chars(document: dict[str, Any]) -> int:
    """The size IAM checks: the document without insignificant whitespace."""
    return len(json.dumps(document, separators=(",", ":")))


def trust_policy_document(
    agent: str, env: str, *, region: str, account: str, partition: str = "aws"
) -> dict[str, Any]:
    """Step Functions may assume the role only for this agent's own state machine (any version or
    alias of it) in this account: ``aws:SourceArn`` and ``aws:SourceAccount`` (confused deputy)."""
    machine = f"arn:{partition}:states:{region}:{account}:stateMachine:{agent_state_machine_name(agent, env)}"
    return {
        "Version": _VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "states.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": [machine, f"{machine}:*"]},
                },
            }
        ],
    }


def boundary_policy_document(
    region: str, account: str, bus_name: str, partition: str = "aws", *, env: str = "*"
) -> dict:
    """The permissions boundary of every agent role (the local emulator's; the CDK app's is
    ``infra.policies.agent_boundary_policy``): invoke any function of the account *by published
    version* (local mode's tool cap is account-wide) and the gateway, publish to the registry bus,
    continue in a child execution of an agent (the history budget's ``startExecution.sync:2`` and
    the managed rule it needs), and Step Functions log delivery (no resource-level permissions).
    ``env`` scopes the gateway (``sfa-llm-gateway-{env}``; default: any environment's)."""
    functions = f"arn:{partition}:lambda:{region}:{account}:function:"
    # The gateway is platform code, not a tool: unqualified (local mode) or its alias/version.
    gateway = functions + gateway_function_name(env)
    return {
        "Version": _VERSION,
        "Statement": [
            {
                "Sid": "InvokeFunctions",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": [*version_patterns(functions + "*"), gateway, f"{gateway}:*"],
            },
            {
                "Sid": "PublishRegistryEvents",
                "Effect": "Allow",
                "Action": "events:PutEvents",
                "Resource": f"arn:{partition}:events:{region}:{account}:event-bus/{bus_name}",
            },
            {
                "Sid": "ContinueInChildExecution",
                "Effect": "Allow",
                "Action": ["states:StartExecution", "states:DescribeExecution", "states:StopExecution"],
                "Resource": [
                    f"arn:{partition}:states:{region}:{account}:stateMachine:agent-*",
                    f"arn:{partition}:states:{region}:{account}:execution:agent-*:*",
                ],
            },
            {
                "Sid": "SyncExecutionRule",
                "Effect": "Allow",
                "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                "Resource": (
                    f"arn:{partition}:events:{region}:{account}:rule/"
                    "StepFunctionsGetEventsForStepFunctionsExecutionRule"
                ),
            },
            {
                "Sid": "LogDelivery",
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogDelivery",
                    "logs:GetLogDelivery",
                    "logs:UpdateLogDelivery",
                    "logs:DeleteLogDelivery",
                    "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy",
                    "logs:DescribeResourcePolicies",
                    "logs:DescribeLogGroups",
                ],
                "Resource": "*",
            },
        ],
    }


def managed_policy_name(agent: str, env: str, digest: str) -> str:
    """``agent-{agent}-{env}-{digest}``: a grant policy named by its content (``MANAGED_DIGEST_CHARS``
    hex characters); IAM patterns end in exactly that many ``?`` so they stay within ``env``."""
    if len(digest) != MANAGED_DIGEST_CHARS or "-" in digest:
        raise ValueError(f"a managed policy digest is {MANAGED_DIGEST_CHARS} characters without '-'")
    return f"{agent_role_name(agent, env)}-{digest}"


def grants_for(
    spec: AgentSpec, tools: Iterable[ResolvedTool], gateway_arn: str, options: RenderOptions
) -> frozenset[str]:
    """The resources the agent's definition needs (see ``definition_policy_statements``)."""
    out: set[str] = set()
    for statement in definition_policy_statements(spec, list(tools), gateway_arn, options=options):
        resource = statement["Resource"]
        out.update([resource] if isinstance(resource, str) else resource)
    return frozenset(out)


@dataclass(frozen=True)
class PolicyPlan:
    """The documents to put on an agent role for a set of grants."""

    mode: Literal["exact", "wildcard", "managed"]
    inline: dict[str, Any]
    managed: tuple[dict[str, Any], ...] = ()
    wildcards: tuple[str, ...] = field(default=())

    @property
    def inline_chars(self) -> int:
        return policy_chars(self.inline)

    @property
    def managed_chars(self) -> tuple[int, ...]:
        return tuple(policy_chars(d) for d in self.managed)

    @property
    def total_chars(self) -> int:
        return self.inline_chars + sum(self.managed_chars)


# Non-Lambda grants, by resource shape: (Sid, actions, ARN marker). Child executions of itself and
# the .sync:2 managed rule come from the history budget (agent_templates.chain).
_OTHER_GRANTS: tuple[tuple[str, str | list[str], str], ...] = (
    ("PublishApprovalRequests", "events:PutEvents", ":event-bus/"),
    ("ContinueInChildExecution", "states:StartExecution", ":stateMachine:"),
    ("FollowChildExecutions", ["states:DescribeExecution", "states:StopExecution"], ":execution:"),
    ("SyncExecutionEvents", ["events:PutTargets", "events:PutRule", "events:DescribeRule"], ":rule/"),
)


def _document(functions: list[str], buses: list[str]) -> dict[str, Any]:
    """``buses``: every non-Lambda grant (approval bus, own state machine, executions, rule)."""
    statements: list[dict[str, Any]] = []
    if functions:
        statements.append(
            {
                "Sid": "InvokeFunctions",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": functions,
            }
        )
    for sid, action, marker in _OTHER_GRANTS:
        resources = [r for r in buses if marker in r]
        if resources:
            statements.append({"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resources})
    return {"Version": _VERSION, "Statement": statements}


def _pack(base: list[str], extra: list[str], buses: list[str], limit: int) -> tuple[list[str], list[str]]:
    """Greedily add ``extra`` resources to ``base`` while the document stays within ``limit``."""
    taken = list(base)
    size = policy_chars(_document(taken or ["x"], buses)) - (0 if taken else len('"x"'))
    for index, resource in enumerate(extra):
        cost = len(json.dumps(resource)) + (1 if taken else 0)
        if size + cost > limit:
            return taken, extra[index:]
        taken.append(resource)
        size += cost
    return taken, []


def plan_policies(
    grants: Iterable[str], *, env: str, region: str, account: str, partition: str = "aws"
) -> PolicyPlan:
    """The tightest policy layout for ``grants`` within IAM's size limits (see the module doc)."""
    resources = sorted(set(grants))
    functions = [r for r in resources if ":lambda:" in r]
    buses = [r for r in resources if r not in functions]
    exact = _document(functions, buses)
    if policy_chars(exact) <= INLINE_LIMIT:
        return PolicyPlan("exact", exact)
    # Only published versions collapse: the patterns cover nothing else (an unqualified or alias ARN,
    # which ResolvedTool does not produce, would stay exact rather than widen the grant).
    convention = re.compile(
        rf"arn:{re.escape(partition)}:lambda:{re.escape(region)}:{re.escape(account)}:function:"
        rf"tool-[A-Za-z0-9_-]+-{re.escape(env)}:[1-9][0-9]*"
    )
    matched = [r for r in functions if convention.fullmatch(r)]
    prefix = f"arn:{partition}:lambda:{region}:{account}:function:tool-*-{env}"
    wildcards = version_patterns(prefix) if matched else []
    rest = [r for r in functions if r not in set(matched)]
    inline_functions, overflow = _pack(wildcards, rest, buses, INLINE_LIMIT)
    inline = _document(inline_functions, buses)
    if not overflow:
        return PolicyPlan("wildcard", inline, wildcards=tuple(wildcards))
    managed: list[dict[str, Any]] = []
    while overflow:
        chunk, overflow = _pack([], overflow, [], MANAGED_LIMIT)
        if not chunk:
            raise PolicyTooLargeError(f"the function ARN {overflow[0]!r} alone exceeds a managed policy")
        managed.append(_document(chunk, []))
    if len(managed) > MAX_MANAGED_POLICIES:
        raise PolicyTooLargeError(
            f"{len(rest)} function ARNs outside the tool-*-{env} naming convention need "
            f"{len(managed)} managed policies of {MANAGED_LIMIT} characters (IAM allows "
            f"{MAX_MANAGED_POLICIES} per role): name tool functions tool-<id>-{env} or select fewer tools"
        )
    return PolicyPlan("managed", inline, tuple(managed), tuple(wildcards))
