"""Item layout of ``AgentRegistry-{env}`` (PK ``agent_name`` only): agents, selector index, directory.

=============  ==============================  ==============================================
kind           ``agent_name``                  content
=============  ==============================  ==============================================
agent          ``trip-planner``                the spec (native map) + derived state
name index     ``sel#name:convert_units``      ``agents``: string set of ``agent@range``
tag index      ``sel#tag:travel``              ``agents``: string set of agent names
directory      ``dir#agents``                  ``agents``: string set of every agent name
=============  ==============================  ==============================================

Agent names match ``[a-zA-Z0-9_-]`` (no ``#``), so index and directory keys never collide with an
agent. The index answers "which agents may a change of tool T (with labels L) affect?" with one
``BatchGetItem`` of ``sel#name:T`` and ``sel#tag:<l>`` for every label of the old and new images — no
Scan, no GSI. A name entry carries its SemVer range, so a new version outside the range is filtered
out before any agent is read. String sets are updated with ``ADD``/``DELETE`` (atomic per element, so
concurrent applies of different agents never conflict); an empty set disappears with its last element.
"""

from __future__ import annotations

from agent_templates import AgentSpec, ToolSelector

__all__ = [
    "AGENTS_ATTR",
    "DIRECTORY_KEY",
    "INDEX_PREFIX",
    "KIND_AGENT",
    "PK",
    "index_entries",
    "index_key",
    "is_agent_key",
    "name_index_key",
    "parse_entry",
    "tag_index_key",
    "tool_index_keys",
]

PK = "agent_name"
AGENTS_ATTR = "agents"
KIND_AGENT = "agent"
INDEX_PREFIX = "sel#"
DIRECTORY_KEY = "dir#agents"
_RANGE_SEP = "@"


def name_index_key(tool_name: str) -> str:
    return f"{INDEX_PREFIX}name:{tool_name}"


def tag_index_key(label: str) -> str:
    return f"{INDEX_PREFIX}tag:{label}"


def is_agent_key(key: str) -> bool:
    return "#" not in key


def index_key(selector: ToolSelector) -> str:
    if selector.tag is not None:
        return tag_index_key(selector.tag)
    assert selector.name is not None
    return name_index_key(selector.name)


def index_entries(spec: AgentSpec) -> dict[str, str]:
    """Index key → this agent's element in it (``agent@range`` for names, ``agent`` for tags)."""
    out: dict[str, str] = {}
    for selector in spec.tools:
        if selector.tag is not None:
            out[index_key(selector)] = spec.name
        else:
            out[index_key(selector)] = f"{spec.name}{_RANGE_SEP}{selector.version_range or '*'}"
    return out


def parse_entry(element: str) -> tuple[str, str | None]:
    """``(agent, range)`` of a name-index element, ``(agent, None)`` of a tag-index element."""
    agent, sep, rng = element.partition(_RANGE_SEP)
    return agent, (rng if sep else None)


def tool_index_keys(tool_name: str, labels: frozenset[str] | set[str]) -> list[str]:
    """The index keys a change of ``tool_name`` carrying ``labels`` (old and new) must look up."""
    return [name_index_key(tool_name), *(tag_index_key(label) for label in sorted(labels))]
