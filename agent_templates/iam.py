"""The IAM statements a rendered definition needs: what its state machine role must be allowed.

The renderer decides what the definition calls (the gateway, each tool's Lambda by a dynamic
``FunctionName``, EventBridge for approvals), so the matching permissions are derived here from the
same inputs. A regenerator grants these before it publishes the definition, and revokes what a new
set no longer contains after (docs/design.md §1). Each tool is granted exactly its published version
(``…:function:tool-x-dev:7``), never unqualified or ``:*``: the role cannot run unregistered code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from agent_templates.errors import RenderError
from agent_templates.options import RenderOptions
from agent_templates.render import tool_routes
from agent_templates.spec import AgentSpec
from agent_templates.tools import QUALIFIED_LAMBDA_ARN_PATTERN, ResolvedTool

__all__ = ["definition_policy_statements", "invoked_function_arns"]

_ARN_RE = re.compile(r"^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::(.+))?$")
_QUALIFIED_RE = re.compile(QUALIFIED_LAMBDA_ARN_PATTERN)


def invoked_function_arns(
    spec: AgentSpec,
    tools: Iterable[ResolvedTool],
    gateway_arn: str,
    *,
    options: RenderOptions | None = None,
) -> list[str]:
    """Every function ARN the definition may invoke, sorted: the gateway and each tool.

    With ``options.offload`` (the default) tools are invoked by the gateway's tool invoker, not by
    the agent's role; the tool grants stay so that switching ``offload`` off needs no re-grant and
    the role documents which tools the agent may use (docs/large-payloads.md, "IAM")."""
    options = options or RenderOptions()
    routes = tool_routes(spec, tools, options)
    return sorted({gateway_arn, *(route["arn"] for route in routes.values())})


def _tool_resources(arn: str) -> list[str]:
    """A tool is granted exactly its published version (``ResolvedTool`` admits no other ARN): no
    ``:*``, which would also allow ``$LATEST`` and aliases — code that was never registered."""
    if not _QUALIFIED_RE.fullmatch(arn):
        raise RenderError(f"a tool is granted by published version only (…:function:NAME:VERSION): {arn!r}")
    return [arn]


def _gateway_resources(arn: str) -> list[str]:
    """The gateway is platform code, not a tool: its alias (``…:sfa-llm-gateway-{env}:live``) or
    version is granted exactly. An unqualified gateway ARN invokes $LATEST; ``arn:*`` too lets a
    later pin to a version or alias keep working (AWS's documented pattern for lambda:invoke)."""
    match = _ARN_RE.match(arn)
    if not match:
        raise RenderError(f"not a Lambda function ARN: {arn!r}")
    return [arn] if match.group(5) else [arn, f"{arn}:*"]


def definition_policy_statements(
    spec: AgentSpec,
    tools: Iterable[ResolvedTool],
    gateway_arn: str,
    *,
    options: RenderOptions | None = None,
) -> list[dict[str, Any]]:
    """IAM policy statements (``Effect``/``Action``/``Resource``) for the agent's role, deterministic.

    ``events:PutEvents`` on the approval bus is included only when some tool call can need approval;
    the bus is in the gateway's account and region.
    """
    options = options or RenderOptions()
    tool_list = list(tools)
    routes = tool_routes(spec, tool_list, options)
    resources = sorted(
        {
            *_gateway_resources(gateway_arn),
            *(r for route in routes.values() for r in _tool_resources(route["arn"])),
        }
    )
    statements: list[dict[str, Any]] = [
        {
            "Sid": "InvokeGatewayAndTools",
            "Effect": "Allow",
            "Action": "lambda:InvokeFunction",
            "Resource": resources,
        }
    ]
    match = _ARN_RE.match(gateway_arn)
    if not match:
        raise RenderError(f"not a Lambda function ARN: {gateway_arn!r}")
    partition, region, account = match.group(1), match.group(2), match.group(3)
    statements.extend(_chain_statements(partition, region, account, options.state_machine_name(spec.name)))
    if any(route.get("approval") for route in routes.values()):
        bus_arn = f"arn:{partition}:events:{region}:{account}:event-bus/{options.bus_name}"
        statements.append(
            {
                "Sid": "PublishApprovalRequests",
                "Effect": "Allow",
                "Action": "events:PutEvents",
                "Resource": [bus_arn],
            }
        )
    return statements


def _chain_statements(partition: str, region: str, account: str, machine: str) -> list[dict[str, Any]]:
    """History budget: start a child execution of this agent (any version/alias of its own state
    machine) and wait for it with ``.sync:2`` (Step Functions' managed EventBridge rule)."""
    machine_arn = f"arn:{partition}:states:{region}:{account}:stateMachine:{machine}"
    return [
        {
            "Sid": "ContinueInChildExecution",
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": [machine_arn, f"{machine_arn}:*"],
        },
        {
            "Sid": "FollowChildExecutions",
            "Effect": "Allow",
            "Action": ["states:DescribeExecution", "states:StopExecution"],
            "Resource": [f"arn:{partition}:states:{region}:{account}:execution:{machine}:*"],
        },
        {
            "Sid": "SyncExecutionEvents",
            "Effect": "Allow",
            "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            "Resource": [
                f"arn:{partition}:events:{region}:{account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
            ],
        },
    ]
