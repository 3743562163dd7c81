"""Large payloads around an LLM call: resolve references in, offload and compact out.

The agent's state holds the conversation in *reference form*: tool results, texts and tool inputs
above the content threshold are ``{"$ref": …}`` values (``tool_sdk.content``), and an old part of
the conversation may be one ``messages`` reference. Around each call the gateway:

1. resolves every reference the platform writes (message-list references, ``tool_result`` content,
   ``text`` blocks; ``tool_use`` inputs when they are valid references — a model may write any JSON
   there, which stays literal data);
2. replaces a resolved tool result larger than ``max_tool_result_bytes`` by an error result that
   says so and gives its size (the model learns it was too large; nothing is cut silently);
3. offloads large text blocks and tool inputs of the answer;
4. compacts the conversation: when the reference-form messages plus the answer exceed
   ``compact_bytes``, everything before the answer becomes one ``messages`` reference and the
   response carries the new ``messages`` list (the template uses it instead of appending).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from llm_gateway.errors import InvalidRequest
from tool_sdk.content import ContentStore, is_ref, payload_bytes
from tool_sdk.errors import ContentError

__all__ = ["ContentLimits", "finish_response", "prepare_request"]

DEFAULT_MAX_TOOL_RESULT_BYTES = 400_000  # ~100k tokens: above it the model gets a too-large error
DEFAULT_COMPACT_BYTES = 64 * 1024


@dataclass(frozen=True)
class ContentLimits:
    """``SFA_MAX_TOOL_RESULT_BYTES`` and ``SFA_CONTENT_COMPACT_BYTES``."""

    max_tool_result_bytes: int = DEFAULT_MAX_TOOL_RESULT_BYTES
    compact_bytes: int = DEFAULT_COMPACT_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ContentLimits:
        env = os.environ if environ is None else environ
        return cls(
            max_tool_result_bytes=int(env.get("SFA_MAX_TOOL_RESULT_BYTES") or DEFAULT_MAX_TOOL_RESULT_BYTES),
            compact_bytes=int(env.get("SFA_CONTENT_COMPACT_BYTES") or DEFAULT_COMPACT_BYTES),
        )


def _resolve(store: ContentStore | None, value: Any, where: str) -> Any:
    if store is None:
        raise InvalidRequest(f"{where}: a content reference, but this gateway has no content bucket")
    try:
        return store.resolve(value)
    except ContentError as exc:
        raise InvalidRequest(f"{where}: {exc}") from None


def _too_large(block: dict[str, Any], size: int, limit: int) -> dict[str, Any]:
    return {
        "type": "tool_result",
        "tool_use_id": block.get("tool_use_id"),
        "is_error": True,
        "content": (
            f"The tool result is too large for the model's context: {size} bytes "
            f"(limit {limit} bytes). It was not sent; ask for a smaller result."
        ),
    }


def _resolve_block(block: Any, store: ContentStore | None, limits: ContentLimits, where: str) -> Any:
    if not isinstance(block, dict):
        return block
    kind = block.get("type")
    if kind == "tool_result":
        content = block.get("content")
        if is_ref(content) or isinstance(content, list):
            content = _resolve(store, content, where) if _has_ref(content) else content
            block = {**block, "content": content}
        size = payload_bytes(block.get("content", ""))
        if size > limits.max_tool_result_bytes:
            return _too_large(block, size, limits.max_tool_result_bytes)
        return block
    if kind == "text" and is_ref(block.get("text")):
        return {**block, "text": _resolve(store, block["text"], where)}
    if kind == "tool_use" and is_ref(block.get("input")) and store is not None:
        try:  # model-written JSON that merely looks like a reference stays literal
            return {**block, "input": store.resolve(block["input"])}
        except ContentError:
            return block
    return block


def _has_ref(value: Any) -> bool:
    if is_ref(value):
        return True
    if isinstance(value, list):
        return any(_has_ref(v) for v in value)
    if isinstance(value, dict):
        return any(_has_ref(v) for v in value.values())
    return False


def prepare_request(
    event: Mapping[str, Any], store: ContentStore | None, limits: ContentLimits
) -> dict[str, Any]:
    """The request with its conversation resolved (step 1 and 2 above)."""
    messages = event.get("messages")
    if not isinstance(messages, list):
        return dict(event)
    expanded: list[Any] = []
    for index, message in enumerate(messages):
        if is_ref(message):
            resolved = _resolve(store, message, f"messages[{index}]")
            if not isinstance(resolved, list):
                raise InvalidRequest(
                    f"messages[{index}]: a reference to {type(resolved).__name__}, not messages"
                )
            expanded.extend(resolved)
        else:
            expanded.append(message)
    out_messages = []
    for index, message in enumerate(expanded):
        if isinstance(message, dict) and isinstance(message.get("content"), list):
            where = f"messages[{index}]"
            content = [_resolve_block(b, store, limits, where) for b in message["content"]]
            message = {**message, "content": content}
        out_messages.append(message)
    return {**event, "messages": out_messages}


def finish_response(
    response: dict[str, Any],
    ref_messages: list[Any],
    store: ContentStore | None,
    limits: ContentLimits,
) -> dict[str, Any]:
    """The response with large blocks offloaded and, when needed, the compacted ``messages``."""
    if store is None:
        return response
    message = response["message"]
    inputs: dict[str, Any] = {}
    blocks = []
    for block in message.get("content", []):
        if block.get("type") == "text":
            block = {**block, "text": store.offload(block["text"])}
        elif block.get("type") == "tool_use":
            block = {**block, "input": store.offload(block.get("input", {}))}
            inputs[block["id"]] = block["input"]
        blocks.append(block)
    message = {**message, "content": blocks}
    calls = [{**c, "input": inputs.get(c["id"], c["input"])} for c in response.get("tool_calls", [])]
    out = {**response, "message": message, "tool_calls": calls}
    conversation = [*ref_messages, message]
    if payload_bytes(conversation) > limits.compact_bytes and len(conversation) > 1:
        head = store.put(ref_messages, kind="messages")
        out["messages"] = [head, message]
    return out
