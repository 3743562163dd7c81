"""LLM gateway: overhead over a direct SDK call, and cold vs eager import time.

* Overhead: one local HTTP server on 127.0.0.1 answers in each provider's wire format (Anthropic
  Messages, OpenAI Chat Completions, Gemini generateContent, Bedrock Converse). Side by side,
  interleaved call by call: the gateway Lambda handler (``llm_gateway.handler.handler`` with a
  normalized request: system prompt, a tool round trip, three tools) and the provider's SDK called
  directly with the equivalent, pre-built arguments (same client settings: no SDK retries, same
  timeout). Overhead = gateway percentile - direct percentile. Logs and EMF metrics are written (to
  /dev/null), as in Lambda. The headline figures are Anthropic's; the other providers get suffixed
  figures.
* Import: fresh interpreters time ``import llm_gateway.handler`` (provider SDKs load lazily) against
  importing the handler plus every provider SDK eagerly (median of several processes).

Targets: ≤ 1 ms added at p50; cold import ≤ 0.35 s.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import percentile

CALLS = {"anthropic": 400, "openai": 200, "gemini": 200, "bedrock": 200}
WARMUP = 20
IMPORT_RUNS = 5
KEYS = {"anthropic": "sk-ant-bench-0000", "openai": "sk-bench-0000", "gemini": "AIzaBench0000000000"}
KEY_ENV = {
    "ANTHROPIC_API_KEY": KEYS["anthropic"],
    "OPENAI_API_KEY": KEYS["openai"],
    "GEMINI_API_KEY": KEYS["gemini"],
}
TOOLS = [
    {
        "name": name,
        "description": f"Bench tool {name}: looks something up and returns JSON.",
        "input_schema": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What to look up."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50},
                "units": {"type": "string", "enum": ["metric", "imperial"]},
            },
            "required": ["query"],
        },
    }
    for name in ("lookup_city", "lookup_weather", "convert_units")
]
EVENT_MESSAGES = [
    {"role": "user", "content": "What is the weather in Paris, in imperial units?"},
    {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Let me look that up."},
            {"type": "tool_use", "id": "call_1", "name": "lookup_weather", "input": {"query": "Paris"}},
        ],
    },
    {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": '{"temp_c": 21}'}],
    },
]
# fmt: off
REPLIES = {
    "anthropic": {"id": "msg_1", "type": "message", "role": "assistant", "model": "m",
                  "content": [{"type": "text", "text": "It is 70 F in Paris."}], "stop_reason": "end_turn",
                  "stop_sequence": None, "usage": {"input_tokens": 120, "output_tokens": 12}},
    "openai": {"id": "c1", "object": "chat.completion", "created": 1, "model": "m",
               "choices": [{"index": 0, "message": {"role": "assistant", "content": "It is 70 F."},
                            "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 120, "completion_tokens": 12, "total_tokens": 132}},
    "gemini": {"candidates": [{"content": {"role": "model", "parts": [{"text": "It is 70 F."}]},
                               "finishReason": "STOP"}],
               "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 12,
                                 "totalTokenCount": 132}},
    "bedrock": {"output": {"message": {"role": "assistant", "content": [{"text": "It is 70 F."}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 120, "outputTokens": 12, "totalTokens": 132},
                "metrics": {"latencyMs": 1}},
}
# fmt: on
_ROUTES = (
    ("/messages", "anthropic"),
    ("/chat/completions", "openai"),
    (":generateContent", "gemini"),
    ("/converse", "bedrock"),
)
_BODIES = {kind: json.dumps(body).encode() for kind, body in REPLIES.items()}


def _reply_for(path: str) -> bytes:
    return next(_BODIES[kind] for marker, kind in _ROUTES if path.endswith(marker))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms Nagle/delayed-ACK stalls on loopback

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        data = _reply_for(self.path)
        head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n"
        self.wfile.write(head.encode() + data)  # one write: headers and body in one segment

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def _stdout_to_devnull() -> Iterator[None]:
    """Logs and EMF lines are still written (their cost counts), to /dev/null instead of the tty."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


def _direct_call(provider: str, url: str, gateway: Any) -> Callable[[], Any]:
    """The provider's SDK called directly with the request the gateway would send (pre-built)."""
    from llm_gateway.gateway import parse_request

    event = {"model": f"{provider}:m", "system": "Be brief.", "messages": EVENT_MESSAGES, "tools": TOOLS}
    request = parse_request(event)
    call = gateway._prepare(gateway.providers.get(provider), provider, "m", request)
    if provider == "anthropic":
        import anthropic

        from llm_gateway.providers.anthropic import to_messages_wire

        client = anthropic.Anthropic(api_key=KEYS[provider], base_url=url, timeout=30.0, max_retries=0)
        kwargs = to_messages_wire(call)
        return lambda: client.messages.create(**kwargs)
    if provider == "openai":
        import openai

        from llm_gateway.providers.openai import to_chat_wire

        client = openai.OpenAI(api_key=KEYS[provider], base_url=url + "/v1", timeout=30.0, max_retries=0)
        kwargs = to_chat_wire(call)
        return lambda: client.chat.completions.create(**kwargs)
    if provider == "gemini":
        from google import genai
        from google.genai import types

        from llm_gateway.providers.gemini import to_gemini_wire

        options = types.HttpOptions(
            base_url=url, timeout=30000, retry_options=types.HttpRetryOptions(attempts=1)
        )
        client = genai.Client(api_key=KEYS[provider], http_options=options)
        return lambda: client.models.generate_content(**to_gemini_wire(call))  # the SDK mutates its input
    from llm_gateway.providers.bedrock import to_converse_wire

    client = _bedrock_client(url)
    kwargs = to_converse_wire(call)
    return lambda: client.converse(**kwargs)


def measure_overhead(provider: str, url: str, calls: int) -> dict[str, float]:
    from llm_gateway import handler as handler_module
    from llm_gateway.config import GatewayConfig
    from llm_gateway.gateway import Gateway
    from llm_gateway.providers import ProviderRegistry
    from llm_gateway.providers.bedrock import BedrockProvider
    from llm_gateway.secrets import KeyStore

    config = GatewayConfig(
        timeout_s=30.0, base_urls={p: url + ("/v1" if p == "openai" else "") for p in KEYS}
    )
    gateway = Gateway(
        config,
        keys=KeyStore(config.llm_secret_name, environ=KEY_ENV),
        providers=ProviderRegistry({"bedrock": BedrockProvider(client=_bedrock_client(url))}),
    )
    handler_module.set_gateway(gateway)
    event = {"model": f"{provider}:m", "system": "Be brief.", "messages": EVENT_MESSAGES, "tools": TOOLS}
    direct = _direct_call(provider, url, gateway)
    events = [json.loads(json.dumps(event)) for _ in range(WARMUP + calls)]  # Lambda hands a fresh dict
    through = lambda: handler_module.handler(events.pop(), None)  # noqa: E731
    gw_samples: list[float] = []
    direct_samples: list[float] = []
    with _stdout_to_devnull():
        for _ in range(WARMUP):
            direct()
            through()
        for i in range(calls):  # interleaved, alternating which side goes first
            for fn, samples in ((direct, direct_samples), (through, gw_samples))[:: 1 if i % 2 else -1]:
                start = time.perf_counter()
                fn()
                samples.append((time.perf_counter() - start) * 1000.0)
    handler_module.set_gateway(None)
    return {
        "gateway_p50": percentile(gw_samples, 50),
        "gateway_p95": percentile(gw_samples, 95),
        "direct_p50": percentile(direct_samples, 50),
        "direct_p95": percentile(direct_samples, 95),
    }


def _bedrock_client(url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=30.0),
    )


def _import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root, "PYTHONDONTWRITEBYTECODE": "1"}
    runs = []
    for _ in range(IMPORT_RUNS):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=root
        )
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(runs)


def run() -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    with _local_server() as url:
        for provider, calls in CALLS.items():
            m = measure_overhead(provider, url, calls)
            suffix = "" if provider == "anthropic" else f"_{provider}"
            for q in ("p50", "p95"):
                figures[f"gateway_overhead_ms_{q}{suffix}"] = {
                    "value": round(m[f"gateway_{q}"] - m[f"direct_{q}"], 3),
                    "unit": "ms",
                    "baseline": round(m[f"direct_{q}"], 3),
                    "target": 1.0 if q == "p50" else None,
                    "provider": provider,
                    "calls": calls,
                }
                figures[f"gateway_latency_ms_{q}{suffix}"] = {
                    "value": round(m[f"gateway_{q}"], 3),
                    "unit": "ms",
                }
                figures[f"direct_sdk_latency_ms_{q}{suffix}"] = {
                    "value": round(m[f"direct_{q}"], 3),
                    "unit": "ms",
                }
    lazy = _import_seconds("import llm_gateway.handler")
    eager = _import_seconds("import llm_gateway.handler, anthropic, openai, google.genai, boto3")
    figures["gateway_cold_import_s"] = {
        "value": round(lazy, 3),
        "unit": "s",
        "baseline": round(eager, 3),
        "target": 0.35,
    }
    figures["gateway_eager_import_s"] = {"value": round(eager, 3), "unit": "s"}
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
