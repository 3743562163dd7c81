"""Resolved tools: the exact tool versions an agent definition is rendered with.

``ResolvedTool`` is what the renderer takes. It validates its own fields, ignores unknown ones, and
turns DynamoDB ``Decimal`` numbers into ints/floats, so a ToolRegistry version item (docs/design.md §4)
can be passed to ``ResolvedTool.model_validate`` as it is. ``resolve_tools`` applies an agent's
selectors to candidate versions (pure; the caller queries the registry).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent_templates.errors import ToolResolutionError
from agent_templates.spec import AgentSpec
from tool_sdk.errors import Problem
from tool_sdk.manifest import NAME_PATTERN, ToolManifest, ToolStatus
from tool_sdk.semver import SEMVER_PATTERN, SemVer

__all__ = [
    "LAMBDA_ARN_PATTERN",
    "QUALIFIED_LAMBDA_ARN_PATTERN",
    "ResolvedTool",
    "ToolResolution",
    "resolve_tools",
]

_FUNCTION_ARN = r"^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:function:[a-zA-Z0-9_-]{1,64}"

# A function ARN, unqualified or qualified by a version/alias: what the gateway may be given.
LAMBDA_ARN_PATTERN = _FUNCTION_ARN + r"(?::(?:\$LATEST|[a-zA-Z0-9_-]{1,128}))?$"

# A function ARN qualified by a published version (Lambda numbers them 1, 2, …: digits, no leading
# zero). Tools run only as registered: $LATEST and aliases can change code without a registration.
QUALIFIED_LAMBDA_ARN_PATTERN = _FUNCTION_ARN + r":[1-9][0-9]*$"
_QUALIFIED_LAMBDA_ARN_RE = re.compile(QUALIFIED_LAMBDA_ARN_PATTERN)


def _plain(value: Any) -> Any:
    """JSON-ready copy of registry data: ``Decimal`` → int/float, tuples/sets → lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


class ResolvedTool(BaseModel):
    """One tool version as an agent uses it: what the LLM sees and which Lambda runs it.

    ``lambda_arn`` is the published Lambda version the tool was registered with
    (``…:function:NAME:VERSION``): agents invoke and are granted exactly that, never ``$LATEST`` or an
    alias, so an agent cannot run code that was not registered."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    version: str = Field(pattern=SEMVER_PATTERN)
    lambda_arn: str
    description: str = Field(min_length=1)
    input_schema: dict[str, Any]
    human_approval_required: bool = False
    timeout_seconds: int | None = Field(default=None, ge=1, le=900)
    tags: tuple[str, ...] = ()
    status: ToolStatus = "active"

    @field_validator("lambda_arn")
    @classmethod
    def _published_version(cls, value: str) -> str:
        if not _QUALIFIED_LAMBDA_ARN_RE.fullmatch(value):  # not .match: "$" allows a trailing "\n"
            raise ValueError(
                "tools are invoked by published version: "
                f"arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION (VERSION 1, 2, …), got {value[:200]!r}"
            )
        return value

    @field_validator("input_schema", mode="before")
    @classmethod
    def _plain_schema(cls, value: Any) -> Any:
        return _plain(value)

    @field_validator("timeout_seconds", mode="before")
    @classmethod
    def _plain_timeout(cls, value: Any) -> Any:
        return _plain(value)

    @classmethod
    def from_manifest(cls, manifest: ToolManifest, lambda_arn: str) -> ResolvedTool:
        return cls.model_validate({**manifest.model_dump(mode="json"), "lambda_arn": lambda_arn})

    @property
    def semver(self) -> SemVer:
        return SemVer.parse(self.version)

    def llm_spec(self) -> dict[str, Any]:
        """The tool as the gateway receives it (docs/design.md §6): name, description, input_schema."""
        return {"name": self.name, "description": self.description, "input_schema": self.input_schema}


@dataclass(frozen=True)
class ToolResolution:
    """The outcome of :func:`resolve_tools`: the chosen versions (sorted by name), the selectors that
    matched nothing usable (``problems``), and notes such as a deprecated version being used."""

    agent: str
    tools: tuple[ResolvedTool, ...]
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def raise_for_problems(self) -> ToolResolution:
        if self.problems:
            raise ToolResolutionError(self.agent, list(self.problems))
        return self


def resolve_tools(spec: AgentSpec, candidates: Iterable[ResolvedTool]) -> ToolResolution:
    """Choose one version per selected tool name from ``candidates`` (every registered version).

    * ``name@range``: the highest ``active`` version in the range; when none is active, the highest
      ``deprecated`` one (with a warning). Nothing usable is a problem: the agent asked for it.
    * ``tag:label``: every tool whose current release (highest active non-prerelease version)
      carries the label. A tag matching nothing is only a warning (tags are open-ended).
    * A name selector wins over tag selectors for the same tool. ``disabled`` versions never run.
    """
    pool = [c for c in candidates if c.status != "disabled"]
    chosen: dict[str, ResolvedTool] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for index, selector in enumerate(spec.tools):
        if selector.is_tag:
            continue
        path = f"tools.{index}"
        matching = [c for c in pool if selector.accepts(c.name, c.version, c.tags)]
        best = _highest([c for c in matching if c.status == "active"]) or _highest(matching)
        if best is None:
            known = sorted({c.version for c in pool if c.name == selector.name}, key=SemVer.parse)
            detail = f"registered versions: {', '.join(known)}" if known else "no such tool is registered"
            problems.append(
                Problem(path, f"no usable version of {selector.name!r} matches {selector} ({detail})")
            )
            continue
        if best.status == "deprecated":
            warnings.append(Problem(path, f"{best.name}@{best.version} is deprecated"))
        chosen[best.name] = best
    # Tag selectors look at each tool's current release (its highest active non-prerelease version):
    # a tool whose current version dropped the label has left the group.
    current: dict[str, ResolvedTool] = {}
    for c in pool:
        if c.status == "active" and not c.semver.prerelease:
            best_so_far = current.get(c.name)
            if best_so_far is None or c.semver > best_so_far.semver:
                current[c.name] = c
    for index, selector in enumerate(spec.tools):
        if not selector.is_tag:
            continue
        tagged = [t for t in current.values() if selector.accepts(t.name, t.version, t.tags)]
        if not tagged:
            warnings.append(Problem(f"tools.{index}", f"no active tool is tagged {selector.tag!r}"))
        for tool in tagged:
            chosen.setdefault(tool.name, tool)  # a name selector for the same tool wins
    tools = tuple(chosen[name] for name in sorted(chosen))
    return ToolResolution(spec.name, tools, tuple(sorted(problems)), tuple(sorted(warnings)))


def _highest(tools: list[ResolvedTool]) -> ResolvedTool | None:
    return max(tools, key=lambda t: t.semver, default=None)
