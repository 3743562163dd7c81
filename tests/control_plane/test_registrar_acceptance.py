"""Acceptance: tools created with plain boto3 calls register from their CloudTrail-shaped events."""

from __future__ import annotations

import json
from typing import Any

from control_plane.registrar import handler as registrar_handler
from control_plane.registry.keys import LATEST_SK
from local.testing import build_zip, ensure_lambda_role
from tests.control_plane.helpers import (
    NODE_HANDLER,
    PY_HANDLER,
    event_for,
    manifest,
    strip_bookkeeping,
    tags_for,
)


def _create(
    aws: Any, name: str, files: dict[str, str], handler: str, runtime: str, tags: dict[str, str]
) -> dict:
    return aws.client("lambda").create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ensure_lambda_role(aws),
        Handler=handler,
        Code={"ZipFile": build_zip(files)},
        Tags=tags,
    )


def test_python_and_node_tools_register_from_cloudtrail_events(cp, registrar, registry, publisher, context):
    py = manifest("convert_units", "1.2.0", language="python")
    node = manifest("text_stats", "0.3.1", language="nodejs", tags=["text"], human_approval_required=True)
    py_fn = _create(
        cp, "tool-convert-units-test", {"app.py": PY_HANDLER % "a"}, "app.handler", "python3.12", tags_for(py)
    )
    node_fn = _create(
        cp,
        "tool-text-stats-test",
        {"index.mjs": NODE_HANDLER % '"a"'},
        "index.handler",
        "nodejs20.x",
        tags_for(node),
    )

    for fn in (py_fn, node_fn):
        out = registrar_handler.handle(event_for("CreateFunction", fn["FunctionArn"]), registrar)
        assert out["outcome"] == "registered", out

    for m, fn in ((py, py_fn), (node, node_fn)):
        item = registry.get_item(m.name, m.version)
        expected = {
            "tool_name": m.name,
            **{k: v for k, v in m.model_dump(mode="json").items() if v is not None},
            "lambda_arn": f"{fn['FunctionArn']}:1",  # the published version, never $LATEST
            "lambda_version": "1",
            "function_arn": fn["FunctionArn"],
            "lambda_function_name": fn["FunctionName"],
            "code_sha256": fn["CodeSha256"],
            "owner": fn["FunctionArn"],
            "requested_status": "active",
            "status_reason": "manifest",
            "portability_warnings": {},
        }
        got = strip_bookkeeping(item)
        for derived in ("manifest_sha256", "content_sha256", "config_digest", "created_at", "updated_at"):
            assert isinstance(got.pop(derived), str)
        assert got.pop("configuration")["handler"] == fn["Handler"]
        [entry] = got.pop("history")
        assert (entry["action"], entry["trigger"]) == ("registered", "CreateFunction20150331")
        got.pop("revision_id", None)  # None in moto: not stored; a UUID on AWS
        assert got == expected
        # native DynamoDB types, never JSON text
        raw = cp.client("dynamodb").get_item(
            TableName=registry.table_name, Key={"tool_name": {"S": m.name}, "version": {"S": m.version}}
        )["Item"]
        assert "M" in raw["input_schema"] and "L" in raw["tags"]
        assert raw["input_schema"]["M"]["properties"]["M"]["value"]["M"]["minimum"] == {"N": "0.5"}

        latest = registry.get(m.name, "latest")
        assert latest.version == m.version and latest.manifest() == m
        assert registry.get(m.name, "^" + m.version).version == m.version
        assert registry.get_item(m.name, LATEST_SK)["resolved_version"] == m.version

    registered = publisher.of("ToolRegistered")
    assert [(e.tool_name, e.version, e.latest_version) for e in registered] == [
        ("convert_units", "1.2.0", "1.2.0"),
        ("text_stats", "0.3.1", "0.3.1"),
    ]
    assert json.loads(json.dumps(registered[0].model_dump(mode="json")))["schema_version"] == 1


def test_duplicate_event_writes_nothing_and_publishes_nothing(cp, registrar, registry, publisher):
    m = manifest("dup_tool", "1.0.0")
    fn = _create(cp, "tool-dup-test", {"app.py": PY_HANDLER % "a"}, "app.handler", "python3.12", tags_for(m))
    event = event_for("CreateFunction", fn["FunctionArn"])
    assert registrar_handler.handle(event, registrar)["outcome"] == "registered"
    before = {(i["tool_name"], i["version"]): i for i in registry.partition("dup_tool")}
    publisher.clear()
    for _ in range(3):
        assert registrar_handler.handle(event, registrar)["outcome"] == "noop"
        assert (
            registrar_handler.handle(event_for("TagResource", fn["FunctionArn"]), registrar)["outcome"]
            == "noop"
        )
    after = {(i["tool_name"], i["version"]): i for i in registry.partition("dup_tool")}
    assert after == before  # rev and timestamps included: not even a rewrite
    assert publisher.events == []
