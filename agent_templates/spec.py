"""``AgentSpec``: what an agent is (docs/design.md §4), loaded from YAML and validated with clear errors.

Example (``examples/agents/trip-planner.yaml``)::

    name: trip-planner
    model: anthropic:claude-sonnet-4-5
    fallbacks: [openai:gpt-5-mini]
    system: You plan trips. Use the tools for every number you state.
    tools: [convert_units@^1, tag:travel]
    max_turns: 10
    max_tokens_per_run: 50000
    approval: {mode: manifest, tools: [book_flight], timeout_seconds: 3600}
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from agent_templates.errors import AgentSpecLoadError, AgentSpecValidationError
from agent_templates.selectors import ToolSelector, parse_selector
from tool_sdk.errors import Problem
from tool_sdk.manifest import NAME_PATTERN

__all__ = [
    "AGENT_NAME_PATTERN",
    "MODEL_PATTERN",
    "AgentSpec",
    "ApprovalPolicy",
    "ToolSelector",
    "load_agent_spec",
    "parse_selector",
    "validate_agent_spec",
]

# Agent names end up in `agent-{name}-{env}` (state machine names: ≤80 of [A-Za-z0-9_-]).
AGENT_NAME_PATTERN = r"^[a-zA-Z0-9](?:[a-zA-Z0-9_-]{0,46}[a-zA-Z0-9])?$"
# `provider:model` (the model part may itself hold ':' '/' '.' '@', e.g. Bedrock ids) or an alias.
MODEL_PATTERN = (
    r"^(?:[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$"
)
_MODEL_RE = re.compile(MODEL_PATTERN)
_AGENT_NAME_RE = re.compile(AGENT_NAME_PATTERN)
_TOOL_NAME_RE = re.compile(NAME_PATTERN)
MAX_SYSTEM_PROMPT_CHARS = 100_000


def _check_model(value: str, what: str) -> str:
    if not _MODEL_RE.match(value):
        raise PydanticCustomError(
            "model_id",
            "{value} is not a {what}: use provider:model (e.g. anthropic:claude-sonnet-4-5, "
            "offline:default) or an alias",
            {"value": repr(value), "what": what},
        )
    return value


class ApprovalPolicy(BaseModel):
    """Which tool calls wait for a human decision, and for how long.

    ``mode: manifest`` (default) asks for the tools whose manifest says ``human_approval_required``;
    ``mode: all`` asks for every tool call. ``tools`` adds names on top of the mode (a spec can
    tighten, never loosen, what a tool's author requires). A call that gets no decision within
    ``timeout_seconds`` goes back to the LLM as a denied (error) result.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["manifest", "all"] = "manifest"
    tools: tuple[str, ...] = ()
    timeout_seconds: int = Field(default=86_400, ge=1, le=31_536_000)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"mode": data} if isinstance(data, str) else data

    @field_validator("tools", mode="after")
    @classmethod
    def _valid_tools(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for index, name in enumerate(value):
            if not _TOOL_NAME_RE.match(name):
                raise PydanticCustomError(
                    "tool_name",
                    "item {index} ({name}) is not a tool name",
                    {"index": index, "name": repr(name)},
                )
        return tuple(sorted(set(value)))

    def requires_approval(self, tool_name: str, manifest_requires: bool) -> bool:
        return manifest_requires or self.mode == "all" or tool_name in self.tools


class AgentSpec(BaseModel):
    """An agent as its author writes it. Unknown fields are rejected so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Agent name; the state machine is agent-{name}-{env}.")
    description: str | None = Field(default=None, max_length=1024)
    model: str = Field(description="provider:model or an alias, e.g. anthropic:claude-sonnet-4-5.")
    fallbacks: tuple[str, ...] = Field(default=(), max_length=5, description="Tried in order on failure.")
    system: str = Field(default="", max_length=MAX_SYSTEM_PROMPT_CHARS, description="System prompt.")
    tools: tuple[ToolSelector, ...] = Field(default=(), max_length=100)
    max_turns: int = Field(
        default=10, ge=1, le=10_000, description="LLM calls per run (the whole chain of executions), at most."
    )
    max_tokens: int = Field(default=4096, ge=1, le=200_000, description="Output tokens per LLM call.")
    max_tokens_per_run: int | None = Field(
        default=None, ge=1, description="Budget: input+output tokens per run; exceeded → run ends."
    )
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    approval: ApprovalPolicy = Field(default_factory=ApprovalPolicy)

    @field_validator("name", mode="after")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _AGENT_NAME_RE.match(value):
            raise PydanticCustomError(
                "agent_name",
                "{value} is not a valid agent name: 1-48 letters, digits, '_' or '-', "
                "starting and ending with a letter or digit",
                {"value": repr(value)},
            )
        return value

    @field_validator("model", mode="after")
    @classmethod
    def _valid_model(cls, value: str) -> str:
        return _check_model(value, "model id")

    @field_validator("fallbacks", mode="before")
    @classmethod
    def _fallbacks_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("fallbacks", mode="after")
    @classmethod
    def _valid_fallbacks(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        for index, item in enumerate(value):
            _check_model(item, f"model id (item {index})")
        if len(set(value)) != len(value):
            raise PydanticCustomError("duplicate", "a fallback model is listed twice", {})
        model = info.data.get("model")
        if model in value:
            raise PydanticCustomError(
                "fallback_is_model", "fallbacks repeat the primary model {model}", {"model": repr(model)}
            )
        return value

    @field_validator("tools", mode="after")
    @classmethod
    def _unique_selectors(cls, value: tuple[ToolSelector, ...]) -> tuple[ToolSelector, ...]:
        problems = _selector_problems(value)
        if problems:
            raise PydanticCustomError(
                "duplicate_selectors",
                "{summary}",
                {
                    "summary": "; ".join(map(str, problems)),
                    "problems": [(p.path, p.message) for p in problems],
                },
            )
        return value

    def canonical_dict(self) -> dict[str, Any]:
        """Plain JSON data without defaulted fields: the form stored in AgentRegistry and hashed."""
        return self.model_dump(mode="json", exclude_defaults=True)

    def sha256(self) -> str:
        text = json.dumps(self.canonical_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _selector_problems(tools: tuple[ToolSelector, ...]) -> list[Problem]:
    """Duplicate selectors (same tag, or the same tool name twice): found after parsing."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, selector in enumerate(tools):
        key = f"tag:{selector.tag}" if selector.is_tag else f"name:{selector.name}"
        if key in seen:
            what = f"tag {selector.tag!r}" if selector.is_tag else f"tool {selector.name!r}"
            problems.append(Problem(f"tools.{index}", f"{what} is already selected by tools.{seen[key]}"))
        else:
            seen[key] = index
    return problems


def validate_agent_spec(data: Any) -> AgentSpec:
    """Validate raw spec data; raises ``AgentSpecValidationError`` listing every problem by path."""
    if not isinstance(data, dict):
        raise AgentSpecValidationError([Problem("", "an agent spec must be a mapping of fields")])
    try:
        return AgentSpec.model_validate(data)
    except ValidationError as exc:
        problems: list[Problem] = []
        for err in exc.errors():
            sub = (err.get("ctx") or {}).get("problems")
            if sub:  # one error standing for several, each with its own path
                problems.extend(Problem(path, message) for path, message in sub)
            else:
                problems.append(Problem(".".join(str(p) for p in err["loc"]), err["msg"]))
        raise AgentSpecValidationError(problems) from None


def load_agent_spec(path: str | Path) -> AgentSpec:
    """Load and validate an agent spec file (``.json``, or YAML for anything else).

    Raises ``AgentSpecLoadError`` (unreadable, not YAML/JSON) or ``AgentSpecValidationError``.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise AgentSpecLoadError(f"cannot read agent spec {p}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if p.suffix.lower() == ".json" else "YAML"
        raise AgentSpecLoadError(f"{p} is not valid {kind}: {exc}") from None
    return validate_agent_spec(data)
