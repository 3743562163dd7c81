"""The registrar judges schemas with the LLM gateway's translators (the manifest's portability hook)."""

from __future__ import annotations

from control_plane.registrar.handler import handle
from control_plane.registrar.sync import register_gateway_schema_checkers
from tests.control_plane.helpers import event_for, manifest, manifest_data, raw_manifest_tags
from tool_sdk.portability import registered_schema_checkers


def test_gateway_checkers_are_registered_explicitly():
    assert register_gateway_schema_checkers() is True
    assert {"anthropic", "openai", "gemini", "bedrock"} <= set(registered_schema_checkers())


def test_schema_no_provider_accepts_is_rejected_and_lossy_ones_warn(tools, registrar, registry, publisher):
    unportable = manifest_data(
        "remote_ref",
        input_schema={"type": "object", "properties": {"x": {"$ref": "https://example.com/x.json"}}},
    )
    tools.lambda_.create_function(
        FunctionName="fn-remote",
        Runtime="python3.12",
        Role=tools.role,
        Handler="app.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        Tags=raw_manifest_tags(unportable),
    )
    out = handle(event_for("CreateFunction", tools.arn("fn-remote")), registrar)
    assert out["outcome"] == "rejected"
    [event] = publisher.events
    assert [r.path for r in event.reasons] == ["input_schema"]
    assert "no LLM provider accepts it" in event.reasons[0].message

    lossy = manifest(
        "lossy",
        input_schema={"type": "object", "properties": {"d": {"type": "string", "format": "date"}}},
    )
    tools.create("fn-lossy", lossy)
    assert registrar.sync("fn-lossy").outcome == "registered"
    warnings = registry.get("lossy").portability_warnings
    assert "gemini" in warnings and any("format" in w for w in warnings["gemini"])
