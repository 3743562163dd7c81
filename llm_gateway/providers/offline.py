"""The offline provider — NOT a language model.

A deterministic stand-in for the demo and tests when no provider key is configured. It understands
nothing; it follows fixed rules, and its replies go through the same normalization as Anthropic's
(they are Messages-API shaped and parsed by :func:`llm_gateway.providers.anthropic.from_messages_wire`).

Rules, in order, applied to the last message:

1. The last message is a user message with ``tool_result`` blocks: answer (``end_turn``) with a text
   that contains every result verbatim, one line per result: ``- <tool name>: <result>``
   (``- <tool name> failed: <result>`` for ``is_error`` results).
2. **The exact rule** (scripts rely on it): in the last user message's text, a registered tool's name
   immediately followed (whitespace allowed) by a JSON object — ``reverse_text {"text": "abc"}`` — calls
   that tool with exactly that object. Several such mentions → parallel calls, in order of appearance.
3. Otherwise the tool whose name/description shares most words with the text is called, with
   arguments built from its input schema and the text (``name=value`` mentions, enum values, dates,
   numbers, quoted strings — see :mod:`llm_gateway.providers.offline_args`).
4. Otherwise: a text reply saying that no tool matches.

Call ids are deterministic (a hash of the conversation position, call index, name and arguments).
Token usage is an estimate: characters / 4. It accepts any valid tool schema (no portability check).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

from llm_gateway.models import GatewayRequest, GatewayResponse, Message, ToolSpec
from llm_gateway.providers.anthropic import from_messages_wire
from llm_gateway.providers.base import Provider, ProviderCall
from llm_gateway.providers.offline_args import build_arguments, canonical, choose_tool

__all__ = ["OfflineProvider", "exact_tool_mentions", "offline_reply"]

NOT_AN_LLM = "offline provider, not a language model"


def exact_tool_mentions(text: str, tools: list[ToolSpec]) -> list[tuple[str, dict[str, Any]]]:
    """``name {json object}`` mentions of registered tools in ``text``, in order of appearance."""
    if not tools:
        return []
    names = sorted((t.name for t in tools), key=len, reverse=True)
    pattern = re.compile(r"(?<![A-Za-z0-9_-])(" + "|".join(map(re.escape, names)) + r")\s*(?=\{)")
    decoder = json.JSONDecoder()
    calls: list[tuple[str, dict[str, Any]]] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() < position:
            continue  # inside the JSON of a previous mention
        try:
            value, end = decoder.raw_decode(text, match.end())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            calls.append((match.group(1), value))
            position = end
    return calls


def _call_id(position: int, index: int, name: str, args: dict[str, Any]) -> str:
    seed = f"{position}|{index}|{name}|{canonical(args)}".encode()
    return "toolu_offline_" + hashlib.sha256(seed).hexdigest()[:20]


def _answer_results(request: GatewayRequest) -> str:
    last = request.messages[-1]
    asked = {b.id: b.name for b in request.messages[-2].tool_uses()} if len(request.messages) > 1 else {}
    lines = [f"Tool results ({NOT_AN_LLM}):"]
    for result in last.tool_results():
        name = asked.get(result.tool_use_id, result.tool_use_id)
        lines.append(f"- {name}{' failed' if result.is_error else ''}: {result.text}")
    return "\n".join(lines)


def offline_reply(request: GatewayRequest) -> dict[str, Any]:
    """The offline provider's reply, in the Anthropic Messages wire shape."""
    last: Message = request.messages[-1]
    content: list[dict[str, Any]] = []
    if last.role == "user" and last.tool_results():
        content.append({"type": "text", "text": _answer_results(request)})
    else:
        prompt = last.text()
        calls = exact_tool_mentions(prompt, request.tools)
        if not calls and (tool := choose_tool(prompt, request.tools)) is not None:
            calls = [(tool.name, build_arguments(tool.input_schema, prompt))]
        position = len(request.messages)
        content.extend(
            {"type": "tool_use", "id": _call_id(position, i, name, args), "name": name, "input": args}
            for i, (name, args) in enumerate(calls)
        )
        if not calls:
            said = prompt.strip() or "(nothing)"
            content.append(
                {"type": "text", "text": f"No tool matches this request ({NOT_AN_LLM}). You said: {said}"}
            )
    stop = "tool_use" if any(c["type"] == "tool_use" for c in content) else "end_turn"
    if stop == "end_turn" and len(content[0]["text"]) > request.max_tokens * 4:
        content[0]["text"] = content[0]["text"][: request.max_tokens * 4]
        stop = "max_tokens"
    prompt_chars = len(request.system or "") + len(request.model_dump_json(include={"messages", "tools"}))
    return {
        "content": content,
        "stop_reason": stop,
        "usage": {
            "input_tokens": math.ceil(prompt_chars / 4),
            "output_tokens": math.ceil(len(canonical(content)) / 4),
        },
    }


class OfflineProvider(Provider):
    """Deterministic rules, not a language model (see the module docstring). Needs no key."""

    name = "offline"
    needs_api_key = False
    schema_dialect = None
    is_language_model = False

    def complete(self, call: ProviderCall) -> GatewayResponse:
        return from_messages_wire(offline_reply(call.request), provider=self.name, model=call.model)
