"""Candidate tool versions for an agent's selectors, read from the ToolRegistry (cached per batch).

Name selectors read the tool's whole history from the base table, strongly consistent. Tag
selectors read the tag index (latest pointers; eventually consistent), so tools that just changed
(``fresh``) are overlaid with their consistent history: a tool that gained a label a moment ago is
seen even if the index lags behind the stream record that triggered the regeneration.
"""

from __future__ import annotations

from collections.abc import Mapping

from agent_templates import AgentSpec, ResolvedTool
from control_plane.registry.records import ToolRecord
from control_plane.registry.store import ToolRegistry

__all__ = ["CandidateSource"]


class CandidateSource:
    """Registry reads for resolution; one instance per batch so repeated selectors cost one read."""

    def __init__(self, registry: ToolRegistry) -> None:
        self.registry = registry
        self._history: dict[str, list[ToolRecord]] = {}
        self._tagged: dict[str, list[ToolRecord]] = {}

    def history(self, name: str) -> list[ToolRecord]:
        if name not in self._history:
            self._history[name] = self.registry.history(name, consistent=True)
        return self._history[name]

    def tagged(self, label: str) -> list[ToolRecord]:
        if label not in self._tagged:
            self._tagged[label] = self.registry.list(tag=label)
        return self._tagged[label]

    def candidates(
        self, spec: AgentSpec, fresh: Mapping[str, frozenset[str]] | None = None
    ) -> list[ResolvedTool]:
        """Every version the selectors may pick. ``fresh``: changed tool → its labels (old and new)."""
        fresh = fresh or {}
        labels = {s.tag for s in spec.tools if s.tag is not None}
        names = {s.name for s in spec.tools if s.name is not None}
        names |= {tool for tool, tool_labels in fresh.items() if tool_labels & labels}
        by_key: dict[tuple[str, str], ToolRecord] = {}
        for label in sorted(labels):
            for record in self.tagged(label):
                by_key[(record.name, record.version)] = record
        for name in sorted(names):
            for record in self.history(name):
                by_key[(record.name, record.version)] = record  # consistent reads win
        return [_resolved(by_key[k]) for k in sorted(by_key)]


def _resolved(record: ToolRecord) -> ResolvedTool:
    return ResolvedTool.model_validate(record.model_dump(mode="json"))
