"""The normalized gateway format (docs/design.md §6): Anthropic-style content blocks in and out.

Request: ``model`` (``provider:model`` or an alias), ``system``, ``messages``, ``tools``, ``max_tokens``,
``temperature``, ``fallbacks``. Response: ``message`` (the assistant message: ``role`` and content
blocks, ready to append to ``messages``), ``stop_reason``, ``tool_calls``, ``usage``, ``provider``,
``model``, ``latency_ms``. Tool results travel back as ``tool_result`` blocks in a user message.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "ContentBlock",
    "GatewayRequest",
    "GatewayResponse",
    "Message",
    "StopReason",
    "TextBlock",
    "ToolCall",
    "ToolResultBlock",
    "ToolSpec",
    "ToolUseBlock",
    "Usage",
]

StopReason = Literal["end_turn", "tool_use", "max_tokens", "stop_sequence", "refusal"]
TOOL_NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextBlock(_Model):
    type: Literal["text"] = "text"
    text: str


class ToolUseBlock(_Model):
    type: Literal["tool_use"] = "tool_use"
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    input: dict[str, Any] = Field(default_factory=dict)
    # Opaque data a provider needs echoed back on the next turn (e.g. Gemini's thought signature).
    provider_data: dict[str, Any] | None = None


class ToolResultBlock(_Model):
    type: Literal["tool_result"] = "tool_result"
    tool_use_id: str = Field(min_length=1)
    content: str | list[TextBlock] = ""
    is_error: bool = False

    @property
    def text(self) -> str:
        """The result as one string (text blocks joined by newlines)."""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(block.text for block in self.content)


ContentBlock = Annotated[TextBlock | ToolUseBlock | ToolResultBlock, Field(discriminator="type")]


class Message(_Model):
    role: Literal["user", "assistant"]
    content: list[ContentBlock]

    @field_validator("content", mode="before")
    @classmethod
    def _text_shorthand(cls, value: Any) -> Any:
        return [{"type": "text", "text": value}] if isinstance(value, str) else value

    def text(self) -> str:
        return "".join(b.text for b in self.content if isinstance(b, TextBlock))

    def tool_uses(self) -> list[ToolUseBlock]:
        return [b for b in self.content if isinstance(b, ToolUseBlock)]

    def tool_results(self) -> list[ToolResultBlock]:
        return [b for b in self.content if isinstance(b, ToolResultBlock)]


class ToolSpec(_Model):
    name: str = Field(pattern=TOOL_NAME_PATTERN)
    description: str = ""
    input_schema: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class GatewayRequest(_Model):
    model: str = Field(min_length=1)
    system: str | None = None
    messages: list[Message] = Field(min_length=1)
    tools: list[ToolSpec] = Field(default_factory=list)
    max_tokens: int = Field(default=1024, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    fallbacks: list[str] = Field(default_factory=list)

    @field_validator("tools", "fallbacks", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value  # JSONata templates may pass null for "none"

    @field_validator("system", mode="before")
    @classmethod
    def _system_blocks(cls, value: Any) -> Any:
        if isinstance(value, list):  # Anthropic also allows a list of text blocks
            return "\n".join(str(b.get("text", "")) for b in value if isinstance(b, dict))
        return value

    @model_validator(mode="after")
    def _paired_tool_calls(self) -> GatewayRequest:
        check_tool_pairing(self.messages)
        names = [t.name for t in self.tools]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate tool names in tools: {sorted(names)}")
        return self


def check_tool_pairing(messages: list[Message]) -> None:
    """Every tool_use gets exactly one tool_result in the next (user) message, and every tool_result
    answers a tool_use of the assistant message just before it. Raises ``ValueError`` otherwise."""
    for index, message in enumerate(messages):
        results = [b.tool_use_id for b in message.tool_results()]
        if results:
            previous = messages[index - 1] if index else None
            if message.role != "user" or previous is None or previous.role != "assistant":
                raise ValueError(
                    f"messages[{index}]: tool_result blocks must be in a user message that "
                    "follows the assistant message with the matching tool_use blocks"
                )
            asked = [b.id for b in previous.tool_uses()]
            if sorted(results) != sorted(asked):
                missing = sorted(set(asked) - set(results))
                extra = sorted(set(results) - set(asked))
                dup = sorted({r for r in results if results.count(r) > 1})
                raise ValueError(
                    f"messages[{index}]: each tool_use needs exactly one tool_result "
                    f"(missing: {missing}, unknown: {extra}, duplicated: {dup})"
                )
        elif message.tool_uses() and index + 1 < len(messages) and not messages[index + 1].tool_results():
            missing = [b.id for b in message.tool_uses()]
            raise ValueError(
                f"messages[{index + 1}]: no tool_result for tool_use ids {missing} of messages[{index}]"
            )


class ToolCall(_Model):
    id: str
    name: str
    input: dict[str, Any]


class Usage(_Model):
    input_tokens: int = 0
    output_tokens: int = 0


class GatewayResponse(_Model):
    message: Message
    stop_reason: StopReason
    tool_calls: list[ToolCall] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    provider: str
    model: str
    latency_ms: float = 0.0

    @classmethod
    def build(
        cls,
        blocks: list[TextBlock | ToolUseBlock],
        stop_reason: StopReason,
        *,
        provider: str,
        model: str,
        input_tokens: int = 0,
        output_tokens: int = 0,
    ) -> GatewayResponse:
        """The one normalization every provider goes through: tool_calls mirror the tool_use blocks;
        a reply with tool calls that stopped "normally" is a ``tool_use`` stop, one without is not."""
        calls = [ToolCall(id=b.id, name=b.name, input=b.input) for b in blocks if b.type == "tool_use"]
        if calls and stop_reason == "end_turn":
            stop_reason = "tool_use"
        elif not calls and stop_reason == "tool_use":
            stop_reason = "end_turn"
        return cls.model_construct(
            message=Message.model_construct(role="assistant", content=list(blocks)),
            stop_reason=stop_reason,
            tool_calls=calls,
            usage=Usage(input_tokens=input_tokens or 0, output_tokens=output_tokens or 0),
            provider=provider,
            model=model,
            latency_ms=0.0,
        )

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
