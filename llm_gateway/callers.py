"""Who calls a platform operation, established from data the gateway trusts — never from the request.

A platform operation (``invoke_tool``, ``continue``) names the calling execution (the template
passes ``$states.context.Execution.Id``). The name alone proves nothing: anyone allowed to invoke
the gateway can write any ARN. So :class:`AgentExecutions` accepts it only when

1. it is an execution ARN in the gateway's own partition, region and account (the Lambda context's
   ``invoked_function_arn``: :class:`GatewayIdentity`) of a state machine named
   ``agent-<name>-{env}`` — the environment is the text after the last ``-`` (environment names hold
   no ``-``), so another environment's agent never passes for one of this environment;
2. ``DescribeExecution`` confirms it: that state machine, ``RUNNING`` (a finished run calls nothing).

Its tool set is then read from what it runs: ``DescribeExecution`` returns the state machine version
(agents run on their ``live`` alias, so on a version), ``DescribeStateMachine`` on that version ARN
returns the definition, and the definition's start state assigns ``$tools`` — the routing table the
template renders from the registry (``agent_templates.render.tool_routes``: name → ``{arn, …}``).
A version is immutable, so its tool set is cached per version ARN (bounded LRU,
:class:`DefinitionCache`). An execution started on the unqualified state machine (tests, manual
runs) has no version: its state machine's current definition is read each time, never cached.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from llm_gateway.aws import error_code
from llm_gateway.errors import InvalidRequest

__all__ = [
    "UNKNOWN_IDENTITY",
    "AgentExecutions",
    "Caller",
    "DefinitionCache",
    "GatewayIdentity",
    "definition_tool_arns",
    "is_env_name",
]

_FUNCTION_ARN = re.compile(
    r"^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]+)?$"
)
_EXECUTION_ARN = re.compile(
    r"^arn:(aws[a-zA-Z-]*):states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([^:\s]{1,80})$"
)
_ENV = re.compile(r"^[a-z0-9]{1,31}$")  # control_plane.config.ENV_PATTERN: no "-"
_NOT_FOUND = frozenset({"ExecutionDoesNotExist", "StateMachineDoesNotExist", "InvalidArn"})
Refusal = type[InvalidRequest]
UNKNOWN_IDENTITY = (
    "the gateway cannot tell its own account, region and environment (no Lambda context, or SFA_ENV "
    "is not lowercase letters and digits): nothing is trusted"
)


def is_env_name(name: str, kind: str, env: str) -> bool:
    """Whether ``name`` is ``{kind}-<non-empty id>-{env}``, split at the last ``-``."""
    rest, sep, suffix = name.rpartition("-")
    return bool(sep) and suffix == env and rest.startswith(f"{kind}-") and len(rest) > len(kind) + 1


@dataclass(frozen=True)
class GatewayIdentity:
    """Where this gateway runs — partition, region, account of the function being invoked — and its
    environment (``SFA_ENV``, lowercase letters and digits)."""

    partition: str
    region: str
    account: str
    env: str

    @classmethod
    def of(cls, context: Any, env: str) -> GatewayIdentity | None:
        """From a Lambda context's ``invoked_function_arn``; None without one, or when ``env`` is not
        an environment name (then nothing is trusted: every platform operation is refused)."""
        arn = getattr(context, "invoked_function_arn", None)
        match = _FUNCTION_ARN.fullmatch(arn) if isinstance(arn, str) else None
        if match is None or not _ENV.fullmatch(env):
            return None
        return cls(partition=match.group(1), region=match.group(2), account=match.group(3), env=env)

    def owns(self, partition: str, region: str, account: str) -> bool:
        return (partition, region, account) == (self.partition, self.region, self.account)

    def state_machine_arn(self, name: str) -> str:
        return f"arn:{self.partition}:states:{self.region}:{self.account}:stateMachine:{name}"


@dataclass(frozen=True)
class Caller:
    """A verified, running execution of one of this environment's agents."""

    execution_arn: str
    execution_name: str
    state_machine_arn: str
    version_arn: str | None
    alias_arn: str | None


class DefinitionCache:
    """Tool sets of state machine versions (immutable), least recently used evicted first."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version_arn: str) -> frozenset[str] | None:
        with self._lock:
            tools = self._entries.get(version_arn)
            if tools is not None:
                self._entries.move_to_end(version_arn)
            return tools

    def put(self, version_arn: str, tools: frozenset[str]) -> None:
        with self._lock:
            self._entries[version_arn] = tools
            self._entries.move_to_end(version_arn)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def definition_tool_arns(definition: str) -> frozenset[str]:
    """The tool ARNs an agent definition embeds: its start state's ``$tools`` (name → ``{arn}``)."""
    try:
        data = json.loads(definition)
    except ValueError:
        return frozenset()
    states = data.get("States") if isinstance(data, dict) else None
    start = states.get(data.get("StartAt")) if isinstance(states, dict) else None
    assign = start.get("Assign") if isinstance(start, dict) else None
    routes = assign.get("tools") if isinstance(assign, dict) else None
    if not isinstance(routes, Mapping):
        return frozenset()
    arns = (route.get("arn") for route in routes.values() if isinstance(route, Mapping))
    return frozenset(arn for arn in arns if isinstance(arn, str))


class AgentExecutions:
    """Verifies calling executions and reads their tool sets (``sfn``: a Step Functions client)."""

    def __init__(
        self, sfn: Any, identity: GatewayIdentity | None, definitions: DefinitionCache | None = None
    ) -> None:
        self.sfn = sfn
        self.identity = identity
        self.definitions = definitions if definitions is not None else DefinitionCache()

    def running(self, execution_arn: Any, refuse: Refusal, op: str) -> Caller:
        """The execution ``execution_arn`` names, if it is a running execution of this environment's
        agents in this account and region; else ``refuse`` is raised (nothing else is described)."""
        identity = self.identity
        if identity is None:
            raise refuse(f"{op}: {UNKNOWN_IDENTITY}")
        shown = str(execution_arn)[:200]
        match = _EXECUTION_ARN.fullmatch(execution_arn) if isinstance(execution_arn, str) else None
        if match is None:
            raise refuse(f"{op}: the request names no calling execution (execution_arn): {shown!r}")
        partition, region, account, machine, name = match.groups()
        if not identity.owns(partition, region, account):
            raise refuse(f"{op}: {shown} is not in this gateway's account and region")
        if not is_env_name(machine, "agent", identity.env):
            raise refuse(f"{op}: {shown} is not an execution of an agent-<name>-{identity.env} state machine")
        try:
            described = self.sfn.describe_execution(executionArn=execution_arn)
        except Exception as exc:
            if error_code(exc) in _NOT_FOUND:
                raise refuse(f"{op}: no execution {shown}") from None
            raise
        machine_arn = identity.state_machine_arn(machine)
        version, alias = described.get("stateMachineVersionArn"), described.get("stateMachineAliasArn")
        if described.get("stateMachineArn") != machine_arn or not all(
            _qualifies(arn, machine_arn) for arn in (version, alias) if arn is not None
        ):
            raise refuse(f"{op}: {shown} does not run {machine_arn}")
        if described.get("status") != "RUNNING":
            raise refuse(f"{op}: {shown} is not running ({described.get('status')})")
        return Caller(execution_arn, name, machine_arn, version, alias)

    def tool_arns(self, caller: Caller, refuse: Refusal) -> frozenset[str]:
        """The tool ARNs the definition ``caller`` runs embeds (cached per version ARN)."""
        if caller.version_arn is not None:
            cached = self.definitions.get(caller.version_arn)
            if cached is not None:
                return cached
        arn = caller.version_arn or caller.state_machine_arn
        try:
            definition = self.sfn.describe_state_machine(stateMachineArn=arn)["definition"]
        except Exception as exc:
            if error_code(exc) in _NOT_FOUND:
                raise refuse(f"the definition of {arn} is gone") from None
            raise
        tools = definition_tool_arns(definition)
        if caller.version_arn is not None:
            self.definitions.put(caller.version_arn, tools)
        return tools


def _qualifies(arn: str, machine_arn: str) -> bool:
    """Whether ``arn`` is a version or alias ARN of ``machine_arn`` (``{machine_arn}:{qualifier}``)."""
    qualifier = arn.removeprefix(machine_arn + ":") if arn.startswith(machine_arn + ":") else ""
    return re.fullmatch(r"[A-Za-z0-9_-]{1,80}", qualifier) is not None
