"""Human approval on the emulator (issue 12, items 9 and 10): the approval binds to the exact input.

The request (``ToolApprovalRequested``, read from the bus) matches its shipped JSON Schema and names
the input's sha256; only a decision naming that digest runs the tool. An input above the content
threshold travels by reference: ``sfa approve`` fetches it, shows all of it (a tail hidden after
70 KB included) with the digest, and the approved tool runs exactly that.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from agent_templates import RenderOptions, RetryPolicy
from control_plane.events import ToolApprovalRequested, load_schema, parse_event
from tests.agent_templates.harness import (
    ApprovalInbox,
    DeployedAgent,
    ToolDef,
    deploy_agent,
    deploy_fake_gateway,
    deploy_tools,
)
from tests.agent_templates.helpers import make_spec
from tests.agent_templates.large_harness import deploy_content_gateway
from tool_sdk.content import is_ref

ONE_TRY = RetryPolicy(interval_seconds=1, max_attempts=1, backoff_rate=1.0)
PROMPT = {"prompt": 'reverse_text {"text": "abc"} word_count {"text": "a b"}'}


@pytest.fixture
def gateway(aws: Any, tmp_path: Any) -> str:
    return deploy_fake_gateway(aws, str(tmp_path))


def agent(aws: Any, gateway: str, tools: list[ToolDef], **spec: Any) -> DeployedAgent:
    return deploy_agent(aws, make_spec(tools=["tag:any"], **spec), deploy_tools(aws, tools), gateway)


def tool_results(output: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for m in output["messages"] for b in m["content"] if b.get("type") == "tool_result"]


def decide(aws: Any, token: str, decision: dict[str, Any]) -> None:
    aws.client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(decision))


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_request_matches_its_schema_and_only_its_digest_runs_the_tool(aws: Any, gateway: str) -> None:
    inbox = ApprovalInbox(aws)
    bot = agent(aws, gateway, [ToolDef("reverse_text", human_approval_required=True), ToolDef("word_count")])

    approved_arn = bot.start(PROMPT)
    event = inbox.next()
    assert event["source"] == "sfn-agents.registry" and event["detail-type"] == "ToolApprovalRequested"
    detail = event["detail"]
    jsonschema.validate(detail, load_schema("ToolApprovalRequested"))  # as emitted, every field
    parsed = parse_event(event)
    assert isinstance(parsed, ToolApprovalRequested) and parsed.task_token == detail["task_token"]
    assert (detail["agent_name"], detail["tool_name"], detail["tool_version"]) == (
        "demo",
        "reverse_text",
        "1.0.0",
    )
    assert detail["input"] == {"text": "abc"} and detail["execution_arn"] == approved_arn
    assert detail["input_ref"] is None  # inline: the event shows the whole input
    assert detail["input_sha256"] == hashlib.sha256(b'{"text":"abc"}').hexdigest()  # of its JSON text
    assert detail["timeout_seconds"] == 86400
    waits = _time(detail["expires_at"]) - _time(detail["occurred_at"])  # JSONata keeps milliseconds
    assert abs(waits - datetime.timedelta(days=1)) < datetime.timedelta(milliseconds=1)
    decide(
        aws, detail["task_token"], {"approved": True, "by": "alice", "input_sha256": detail["input_sha256"]}
    )
    approved = bot.wait(approved_arn)
    assert approved.status == "SUCCEEDED", approved.cause
    reverse, count = tool_results(approved.output)
    assert reverse["tool_use_id"] == detail["tool_use_id"] and reverse["content"] == "cba"
    assert count["content"] == '{"words":2}'  # tools without approval do not wait
    assert (
        approved.entered().count("GuardedInvokeTool") == 2
        and approved.entered().count("RequestApproval") == 1
    )

    refusals = {
        "no digest": ({"approved": True, "by": "alice"}, "does not name the sha256 of the input"),
        "another digest": (
            {"approved": True, "input_sha256": "0" * 64},
            f"approves the input with sha256 {'0' * 64}, not this input (sha256 {detail['input_sha256']})",
        ),
    }
    for decision, message in refusals.values():
        arn = bot.start(PROMPT)
        decide(aws, inbox.next()["detail"]["task_token"], decision)
        run = bot.wait(arn)
        assert run.status == "SUCCEEDED", run.cause
        result = tool_results(run.output)[0]
        assert result["is_error"] is True and result["content"].startswith("Tool call not approved: ")
        assert message in result["content"]
        assert bot.tools["reverse_text"].lambda_arn not in run.scheduled_functions()


def test_a_long_inline_input_is_bound_by_its_chunked_digest(aws: Any, gateway: str) -> None:
    """$hash takes at most 10,000 characters: a longer JSON text is hashed in 5,000-character chunks."""
    inbox = ApprovalInbox(aws)
    bot = agent(aws, gateway, [ToolDef("reverse_text", human_approval_required=True)])
    text = "ab" * 6000
    arn = bot.start({"prompt": "reverse_text " + json.dumps({"text": text})})
    detail = inbox.next()["detail"]
    body = json.dumps({"text": text}, separators=(",", ":"))
    chunks = "".join(
        hashlib.sha256(body[i : i + 5000].encode()).hexdigest() for i in range(0, len(body), 5000)
    )
    assert detail["input_sha256"] == hashlib.sha256(chunks.encode()).hexdigest()
    decide(aws, detail["task_token"], {"approved": True, "input_sha256": detail["input_sha256"]})
    run = bot.wait(arn)
    assert run.status == "SUCCEEDED", run.cause
    assert tool_results(run.output)[0]["content"] == text[::-1]


def test_denials(aws: Any, gateway: str) -> None:
    inbox = ApprovalInbox(aws)
    bot = agent(aws, gateway, [ToolDef("reverse_text", human_approval_required=True), ToolDef("word_count")])
    denied_arn = bot.start(PROMPT)
    decide(aws, inbox.next()["detail"]["task_token"], {"approved": False, "by": "bob", "reason": "no"})
    denied = bot.wait(denied_arn)
    assert denied.status == "SUCCEEDED", denied.cause
    result = tool_results(denied.output)[0]
    assert result["is_error"] is True and result["content"] == "Tool call denied by bob: no"
    assert bot.tools["reverse_text"].lambda_arn not in denied.scheduled_functions()

    failed_arn = bot.start(PROMPT)
    token = inbox.next()["detail"]["task_token"]
    aws.client("stepfunctions").send_task_failure(taskToken=token, error="ToolCallDenied", cause="not today")
    failed = bot.wait(failed_arn)
    assert failed.status == "SUCCEEDED", failed.cause
    result = tool_results(failed.output)[0]
    assert result["is_error"] is True
    assert result["content"].startswith("Tool call denied by a human approver: ToolCallDenied")
    assert bot.tools["reverse_text"].lambda_arn not in failed.scheduled_functions()


def test_approval_timeout_is_a_denial(aws: Any, gateway: str) -> None:
    ApprovalInbox(aws)
    bot = agent(aws, gateway, [ToolDef("reverse_text")], approval={"mode": "all", "timeout_seconds": 1})
    run = bot.run({"prompt": 'reverse_text {"text": "abc"}'})
    assert run.status == "SUCCEEDED", run.cause
    (result,) = tool_results(run.output)
    assert result["is_error"] is True
    assert result["content"] == "Tool call not approved: no decision before the approval timeout."


def test_unpublishable_approval_request_refuses_the_call(aws: Any, gateway: str) -> None:
    """No approval bus: the request cannot be published, so the call is refused (fails closed)."""
    bot = agent(aws, gateway, [ToolDef("reverse_text", human_approval_required=True)])
    run = bot.run({"prompt": 'reverse_text {"text": "abc"}'})
    assert run.status == "SUCCEEDED", run.cause
    (result,) = tool_results(run.output)
    assert result["is_error"] is True
    assert result["content"].startswith(
        "Tool call not approved: the approval request could not be published: "
    )
    assert bot.tools["reverse_text"].lambda_arn not in run.scheduled_functions()


TAIL = "; HIDDEN-TAIL: rm -rf /"


def test_an_input_by_reference_is_shown_whole_and_bound_by_its_digest(aws: Any) -> None:
    from sfa.cli import app

    inbox = ApprovalInbox(aws)
    gateway, store = deploy_content_gateway(aws)
    tools = deploy_tools(aws, [ToolDef("echo", human_approval_required=True)])
    options = RenderOptions(offload=True, gateway_retry=ONE_TRY, lambda_retry=ONE_TRY)
    bot = deploy_agent(aws, make_spec(tools=["tag:any"]), tools, gateway, options=options)
    data = "A" * 70_000 + TAIL  # the tail is far past any preview
    prompt = {"prompt": "echo " + json.dumps({"data": data})}

    # An approval of what the preview shows (or of anything but the content) does not run the tool.
    refused_arn = bot.start(prompt)
    detail = inbox.next()["detail"]
    jsonschema.validate(detail, load_schema("ToolApprovalRequested"))
    ref = detail["input_ref"]
    assert is_ref(ref) and detail["input"] == ref and TAIL not in json.dumps(detail)
    assert detail["input_sha256"] == ref["sha256"] and store.get(ref) == {"data": data}
    preview_digest = hashlib.sha256(ref["preview"].encode()).hexdigest()
    decide(aws, detail["task_token"], {"approved": True, "input_sha256": preview_digest})
    refused = bot.wait(refused_arn, timeout=60)
    assert refused.status == "SUCCEEDED", refused.cause
    conversation = {"messages": store.resolve(refused.output["messages"])}  # compacted: by reference
    assert "Tool call not approved" in tool_results(conversation)[0]["content"]
    assert "GuardedInvokeTool" not in refused.entered()  # the tool never ran

    # sfa approve fetches the content, shows all of it and its digest, and asks first.
    approved_arn = bot.start(prompt)
    second = inbox.next()["detail"]
    token, ref = second["task_token"], second["input_ref"]  # the same content, another object
    cli = CliRunner()
    said_no = cli.invoke(app, ["approve", token, "--execution", approved_arn], input="n\n")
    assert said_no.exit_code == 1 and "not approved (nothing sent)" in said_no.stderr
    shown = cli.invoke(app, ["approve", token, "--execution", approved_arn], input="y\n")
    assert shown.exit_code == 0, shown.output
    assert TAIL in shown.stdout and ref["sha256"] in shown.stdout  # the same content: one digest
    assert f"by reference {ref['$ref']}" in shown.stdout and "fetched and verified" in shown.stdout
    approved = bot.wait(approved_arn, timeout=60)
    assert approved.status == "SUCCEEDED", approved.cause
    (result,) = tool_results({"messages": store.resolve(approved.output["messages"])})
    assert not result.get("is_error") and result["content"] == json.dumps(
        {"data": data}, separators=(",", ":")
    )
    [decision] = [
        json.loads(e["taskSucceededEventDetails"]["output"])
        for e in approved.history
        if e["type"] == "TaskSucceeded" and e["taskSucceededEventDetails"]["resourceType"] == "events"
    ]
    assert decision["approved"] is True and decision["input_sha256"] == ref["sha256"]
    assert decision["by"].startswith("arn:aws:sts::")  # the caller's identity, not a flag
