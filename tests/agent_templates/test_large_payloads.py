"""Acceptance (issue 8): large tool results by reference, on the emulator with the real gateway.

A tool returns 2 MB of text: the run succeeds, no state holds more than 256 KB, the object is in
the content bucket, and the model receives the whole result (or a clear too-large error when the
gateway's limit is smaller). Offloaded objects hold only what the tool returned; references are
validated.
"""

from __future__ import annotations

from typing import Any

from agent_templates import RenderOptions, RetryPolicy
from tests.agent_templates.harness import ToolDef, deploy_agent, deploy_tools
from tests.agent_templates.helpers import make_spec
from tests.agent_templates.large_harness import (
    MAX_STATE_BYTES,
    bucket_objects,
    deploy_content_gateway,
    max_state_bytes,
)
from tool_sdk.content import is_ref

OFFLOAD_OPTIONS = RenderOptions(
    offload=True,
    gateway_retry=RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0),
    lambda_retry=RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0),
)
SIZE = 2 * 1024 * 1024
BIG_TOOL = (
    "import os\n\ndef handler(event, context):\n"
    "    assert os.environ.get('TOOL_SECRET')\n"
    "    return 'A' * event['n'] + '<END>'\n"
)
ECHO_TOOL = "def handler(event, context):\n    return event\n"
SECRET = "tool-secret-value-7f3a"
GATEWAY_SECRET = "sk-ant-gateway-secret-91c2"


def _deploy(aws: Any, gateway_env: dict[str, str], **spec: Any) -> Any:
    gateway, store = deploy_content_gateway(aws, env={"ANTHROPIC_API_KEY": GATEWAY_SECRET, **gateway_env})
    # A secret the tool has but never returns (in the published version agents run).
    big = ToolDef("big", BIG_TOOL, env={"TOOL_SECRET": SECRET})
    tools = deploy_tools(aws, [big, ToolDef("echo", ECHO_TOOL)])
    bot = deploy_agent(aws, make_spec(tools=["tag:any"], **spec), tools, gateway, options=OFFLOAD_OPTIONS)
    return bot, store


def test_a_2mb_tool_result_reaches_the_model_by_reference(aws: Any) -> None:
    bot, store = _deploy(aws, {"SFA_MAX_TOOL_RESULT_BYTES": str(4 * 1024 * 1024)}, max_tokens=200_000)
    run = bot.run({"prompt": f'big {{"n": {SIZE}}}'}, timeout=120)

    assert run.status == "SUCCEEDED", run.cause
    assert max_state_bytes(run.history) < MAX_STATE_BYTES
    (result,) = [b for m in run.output["messages"] for b in m["content"] if b["type"] == "tool_result"]
    ref = result["content"]
    assert is_ref(ref) and ref["bytes"] == SIZE + 5 and ref["preview"].startswith("AAAA")
    assert store.get(ref) == "A" * SIZE + "<END>"  # the object is in S3, integrity-checked
    # The model received all 2 MB: the offline provider counts input tokens as characters / 4.
    assert run.output["usage"]["input_tokens"] > SIZE // 4
    # It answers with the result verbatim (up to max_tokens * 4 characters): an answer above the
    # threshold is offloaded by the gateway too, a reference the caller resolves.
    answer = run.output["answer"]
    assert is_ref(answer) and answer["bytes"] == 800_000
    assert store.get(answer).startswith("Tool results (offline provider, not a language model):\n- big: AAAA")
    objects = bucket_objects(store)
    assert any(len(body) == SIZE + 5 for body in objects.values())
    # Offloaded objects hold what the tool and the model produced, never a secret they did not.
    for body in objects.values():
        assert SECRET.encode() not in body and GATEWAY_SECRET.encode() not in body


def test_a_result_above_the_model_limit_is_a_clear_error_result(aws: Any) -> None:
    bot, _ = _deploy(aws, {"SFA_MAX_TOOL_RESULT_BYTES": "100000"})
    run = bot.run({"prompt": f'big {{"n": {SIZE}}}'}, timeout=120)

    assert run.status == "SUCCEEDED", run.cause
    assert max_state_bytes(run.history) < MAX_STATE_BYTES
    answer = run.output["answer"]
    assert isinstance(answer, str)
    assert "big failed" in answer
    assert f"too large for the model's context: {SIZE + 5} bytes (limit 100000 bytes)" in answer


def test_a_forged_reference_in_tool_input_is_refused(aws: Any) -> None:
    bot, store = _deploy(aws, {})
    s3 = store.client
    s3.create_bucket(Bucket="someone-elses-bucket")
    s3.put_object(Bucket="someone-elses-bucket", Key="content/x", Body=b"private")
    forged = {"$ref": "s3://someone-elses-bucket/content/x", "sha256": "0" * 64, "bytes": 7}
    run = bot.run({"prompt": "echo " + __import__("json").dumps({"data": forged})}, timeout=60)

    assert run.status == "SUCCEEDED", run.cause
    (result,) = [b for m in run.output["messages"] for b in m["content"] if b["type"] == "tool_result"]
    assert result["is_error"] is True
    assert "InvalidReferenceError" in result["content"]
    assert "outside the platform content bucket" in result["content"]
    assert "private" not in str(run.output)
