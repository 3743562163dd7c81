"""A stand-in for the LLM gateway Lambda, deployed as a real function in execution tests.

It speaks the gateway's normalized format (docs/design.md §6) and follows the offline provider's one
documented rule: a user message with a tool's name immediately followed by a JSON object
(``reverse_text {"text": "abc"}``) calls that tool with that object (several mentions → parallel
calls); after tool results it answers with a text holding each result verbatim.

Test-only extensions: ``!name {...}`` calls ``name`` even when it is not one of the agent's tools
(unknown-tool tests); ``RAISE:ErrorType`` fails with that errorType; ``FLAKY:ErrorType:N`` fails the
first N calls of a conversation (counted in a file under ``FAKE_GATEWAY_STATE``); ``ECHO_REQUEST``
answers with the request's system prompt and tool specs as JSON (embedding tests).
"""

import hashlib
import json
import os
import re

_DECODER = json.JSONDecoder()


class GatewayFailure(Exception):
    pass


def _fail(error_type, message):
    # Lambda reports the exception's class name as errorType: make a class with the wanted name.
    raise type(error_type, (GatewayFailure,), {})(message)


def _texts(message):
    content = message.get("content")
    if isinstance(content, str):
        return [content]
    return [b.get("text", "") for b in content or [] if b.get("type") == "text"]


def _calls_in(text, names):
    calls = []
    for match in re.finditer(r"(!?)([A-Za-z0-9_-]{1,64}) (?=\{)", text):
        forced, name = match.group(1) == "!", match.group(2)
        if not forced and name not in names:
            continue
        try:
            value, _ = _DECODER.raw_decode(text, match.end())
        except ValueError:
            continue
        if isinstance(value, dict):
            calls.append((name, value))
    return calls


def _flaky(first_text, spec):
    error_type, count = spec.split(":")[0], int(spec.split(":")[1])
    key = hashlib.sha256(first_text.encode()).hexdigest()[:16]
    path = os.path.join(os.environ.get("FAKE_GATEWAY_STATE", "/tmp"), f"fake-gateway-{key}")
    seen = 0
    if os.path.exists(path):
        with open(path) as handle:
            seen = int(handle.read())
    with open(path, "w") as handle:
        handle.write(str(seen + 1))
    if seen < count:
        _fail(error_type, f"flaky failure {seen + 1} of {count}")


def handler(event, context):
    messages = event["messages"]
    names = {t["name"] for t in event.get("tools", [])}
    first_text = " ".join(_texts(messages[0]))
    for marker in re.findall(r"RAISE:([A-Za-z]+)", first_text):
        _fail(marker, f"the fake gateway was told to raise {marker}")
    for spec in re.findall(r"FLAKY:([A-Za-z]+:\d+)", first_text):
        _flaky(first_text, spec)
    turn = sum(1 for m in messages if m["role"] == "assistant")
    last = messages[-1]
    results = [b for b in last.get("content", []) if isinstance(b, dict) and b.get("type") == "tool_result"]
    if "ECHO_REQUEST" in first_text and not results:
        text = json.dumps({"system": event.get("system"), "tools": event.get("tools")}, sort_keys=True)
        content, calls = [{"type": "text", "text": text}], []
    elif results:
        parts = [
            f"[{r['tool_use_id']}{' error' if r.get('is_error') else ''}] {r['content']}" for r in results
        ]
        content, calls = [{"type": "text", "text": "Results: " + " | ".join(parts)}], []
    else:
        found = _calls_in(" ".join(_texts(last)), names)
        calls = [{"id": f"toolu_{turn}_{i}", "name": n, "input": v} for i, (n, v) in enumerate(found)]
        content = (
            [{"type": "text", "text": "Calling tools."}] if calls else [{"type": "text", "text": "No tools."}]
        )
        content += [{"type": "tool_use", **c} for c in calls]
    size = len(json.dumps(event))
    return {
        "message": {"role": "assistant", "content": content},
        "stop_reason": "tool_use" if calls else "end_turn",
        "tool_calls": calls,
        "usage": {"input_tokens": size // 4, "output_tokens": 10},
        "provider": "fake",
        "model": event["model"],
        "latency_ms": 1,
    }
