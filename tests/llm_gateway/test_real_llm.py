"""Smoke tests against the real provider APIs — skipped unless keys are configured.

Run with ``pytest -m real_llm tests/llm_gateway/test_real_llm.py``. Keys: ``ANTHROPIC_API_KEY``,
``OPENAI_API_KEY``, ``GEMINI_API_KEY``/``GOOGLE_API_KEY``; Bedrock runs when ``SFA_REAL_BEDROCK_MODEL``
is set (AWS credentials from the usual chain). Models: ``SFA_REAL_<PROVIDER>_MODEL``. Every corpus
schema a translator accepts is sent to that provider as a tool: the API must take it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from llm_gateway.config import GatewayConfig, RetryPolicy
from llm_gateway.gateway import Gateway
from tests.llm_gateway.schema_corpus import CORPUS, expected

pytestmark = pytest.mark.real_llm

MODELS = {
    "anthropic": (("ANTHROPIC_API_KEY",), "claude-haiku-4-5"),
    "openai": (("OPENAI_API_KEY",), "gpt-5-mini"),
    "gemini": (("GEMINI_API_KEY", "GOOGLE_API_KEY"), "gemini-2.5-flash"),
    "bedrock": ((), None),
}


def _model(provider: str) -> str:
    keys, default = MODELS[provider]
    if keys and not any(os.environ.get(k) for k in keys):
        pytest.skip(f"no {'/'.join(keys)} configured")
    model = os.environ.get(f"SFA_REAL_{provider.upper()}_MODEL", default or "")
    if not model:
        pytest.skip(f"set SFA_REAL_{provider.upper()}_MODEL to run {provider}")
    return f"{provider}:{model}"


def _gateway() -> Gateway:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SFA_") or k.startswith("SFA_REAL")}
    config = GatewayConfig.from_env(env)
    return Gateway(GatewayConfig(env=config.env, timeout_s=60, retry=RetryPolicy(max_attempts=3)))


ACCEPTED = [(p, n) for p in MODELS for n in CORPUS if not expected(n, p).startswith("rejected")]


@pytest.mark.parametrize(("provider", "name"), ACCEPTED, ids=[f"{p}-{n}" for p, n in ACCEPTED])
def test_the_api_accepts_each_translated_corpus_schema(provider: str, name: str) -> None:
    tool = {"name": "corpus_tool", "description": f"Test tool ({name}).", "input_schema": CORPUS[name]}
    response = _gateway().complete(
        {
            "model": _model(provider),
            "max_tokens": 256,
            "tools": [tool],
            "messages": [{"role": "user", "content": "Say OK."}],
        }
    )
    assert response.provider == provider


@pytest.mark.parametrize("provider", list(MODELS))
def test_tool_call_round_trip(provider: str) -> None:
    model = _model(provider)
    tool = {
        "name": "reverse_text",
        "description": "Reverse the characters of a text. Always use it to reverse text.",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    }
    gateway = _gateway()
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "Use the tool to reverse the text 'stressed'."}
    ]
    first = gateway.complete({"model": model, "max_tokens": 1024, "tools": [tool], "messages": messages})
    assert first.stop_reason == "tool_use" and first.tool_calls[0].name == "reverse_text"
    results = [
        {"type": "tool_result", "tool_use_id": c.id, "content": c.input.get("text", "")[::-1]}
        for c in first.tool_calls
    ]
    messages += [first.to_dict()["message"], {"role": "user", "content": results}]
    final = gateway.complete({"model": model, "max_tokens": 1024, "tools": [tool], "messages": messages})
    assert final.stop_reason == "end_turn" and "desserts" in final.message.text().lower()
