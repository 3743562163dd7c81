"""The hook where provider-portability checks of tool schemas plug in.

A tool's ``input_schema`` must be usable by at least one supported LLM provider. ``tool_sdk`` knows no
provider; the LLM gateway contributes one checker per provider, either by calling
:func:`register_schema_checker` or through the ``sfn_agents.schema_checkers`` entry-point group (each
entry point names a zero-argument callable returning ``{provider: checker}``), which is loaded
lazily on the first check so importing ``tool_sdk`` stays light.

A provider's own limit on the tool *description* (OpenAI: 1,024 characters) is not a reason to reject
the tool for every provider: a checker carrying ``max_description_chars`` (an int attribute of the
callable) gets a longer description reported as its rejection, and the tool stays registered when
another provider accepts it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

__all__ = [
    "ENTRY_POINT_GROUP",
    "PortabilityReport",
    "SchemaChecker",
    "SchemaVerdict",
    "check_portability",
    "register_schema_checker",
    "registered_schema_checkers",
    "unregister_schema_checker",
]

ENTRY_POINT_GROUP = "sfn_agents.schema_checkers"


@dataclass(frozen=True)
class SchemaVerdict:
    """What one provider makes of a tool schema.

    ``accepted`` with empty ``lossy``: used as is (or translated without loss). ``accepted`` with
    ``lossy`` notes: usable, but the translation drops or changes something. Not ``accepted``:
    ``reason`` says precisely why.
    """

    provider: str
    accepted: bool
    lossy: tuple[str, ...] = ()
    reason: str | None = None


SchemaChecker = Callable[[dict[str, Any]], SchemaVerdict]


@dataclass(frozen=True)
class PortabilityReport:
    """Verdicts of every registered provider for one schema."""

    verdicts: tuple[SchemaVerdict, ...] = field(default_factory=tuple)

    @property
    def checked(self) -> bool:
        return bool(self.verdicts)

    @property
    def accepted_by(self) -> list[str]:
        return [v.provider for v in self.verdicts if v.accepted]

    @property
    def portable_anywhere(self) -> bool:
        """True when no checker is registered (nothing to say) or at least one provider accepts."""
        return not self.verdicts or bool(self.accepted_by)

    @property
    def warnings(self) -> dict[str, list[str]]:
        """Per provider: lossy-translation notes, or the rejection reason."""
        out: dict[str, list[str]] = {}
        for v in self.verdicts:
            notes = list(v.lossy) if v.accepted else [f"rejected: {v.reason}"]
            if notes:
                out[v.provider] = notes
        return out

    def rejection_summary(self) -> str:
        return "; ".join(f"{v.provider}: {v.reason}" for v in self.verdicts if not v.accepted)


_checkers: dict[str, SchemaChecker] = {}
_entry_points_loaded = False


def register_schema_checker(provider: str, checker: SchemaChecker) -> None:
    """Register (or replace) the portability checker of ``provider``."""
    _checkers[provider] = checker


def unregister_schema_checker(provider: str) -> None:
    _checkers.pop(provider, None)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        contributed: Mapping[str, SchemaChecker] = ep.load()()
        for provider, checker in contributed.items():
            _checkers.setdefault(provider, checker)


def registered_schema_checkers() -> dict[str, SchemaChecker]:
    _load_entry_points()
    return dict(_checkers)


def check_portability(schema: dict[str, Any], *, description: str | None = None) -> PortabilityReport:
    """Run every registered checker on ``schema`` (and ``description``), in provider-name order."""
    checkers = registered_schema_checkers()
    return PortabilityReport(tuple(_verdict(p, checkers[p], schema, description) for p in sorted(checkers)))


def _verdict(
    provider: str, checker: SchemaChecker, schema: dict[str, Any], description: str | None
) -> SchemaVerdict:
    verdict = checker(schema)
    limit = getattr(checker, "max_description_chars", None)
    if verdict.accepted and description is not None and isinstance(limit, int) and len(description) > limit:
        reason = f"the tool description is {len(description)} characters; {provider} accepts at most {limit}"
        return SchemaVerdict(provider=verdict.provider, accepted=False, reason=reason)
    return verdict
