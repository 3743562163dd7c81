"""resolve_tools: selectors applied to registered versions; ResolvedTool from registry items."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from agent_templates import ResolvedTool, ToolResolutionError, resolve_tools
from tests.agent_templates.helpers import lambda_arn, make_spec, make_tool
from tool_sdk import ToolManifest


def candidates() -> list[ResolvedTool]:
    return [
        make_tool("web_scraper", "1.2.0", tags=("web",)),
        make_tool("web_scraper", "1.4.1", tags=("web",)),
        make_tool("web_scraper", "1.5.0", tags=("web",), status="disabled"),
        make_tool("web_scraper", "2.0.0", tags=("web",)),
        make_tool("quotes", "1.0.0", tags=("finance",)),
        make_tool("quotes", "1.1.0", tags=("finance",), status="deprecated"),
        make_tool("ledger", "3.0.0", tags=("finance",)),
        make_tool("ledger", "3.1.0", tags=()),  # the current release dropped the tag
        make_tool("fx", "0.9.0", tags=("finance",)),
        make_tool("fx", "1.0.0-rc.1", tags=("finance",)),
        make_tool("old", "1.0.0", status="deprecated"),
    ]


def chosen(resolution) -> dict[str, str]:
    return {t.name: t.version for t in resolution.tools}


def test_name_ranges_pick_the_highest_active_version() -> None:
    resolution = resolve_tools(make_spec(tools=["web_scraper@^1.2"]), candidates())
    assert chosen(resolution) == {"web_scraper": "1.4.1"}  # 1.5.0 is disabled, 2.0.0 out of range
    assert resolve_tools(make_spec(tools=["web_scraper"]), candidates()).tools[0].version == "2.0.0"


def test_tags_select_each_tools_current_release() -> None:
    resolution = resolve_tools(make_spec(tools=["tag:finance"]), candidates())
    # quotes: 1.1.0 is deprecated → current active release is 1.0.0; ledger 3.1.0 dropped the tag;
    # fx's prerelease is not a release.
    assert chosen(resolution) == {"fx": "0.9.0", "quotes": "1.0.0"}
    assert resolution.problems == ()


def test_name_selector_wins_over_tag_and_deprecated_is_a_warning() -> None:
    resolution = resolve_tools(make_spec(tools=["tag:web", "web_scraper@~1.2", "old"]), candidates())
    assert chosen(resolution) == {"old": "1.0.0", "web_scraper": "1.2.0"}
    assert [str(w) for w in resolution.warnings] == ["tools.2: old@1.0.0 is deprecated"]
    assert [t.name for t in resolution.tools] == sorted(t.name for t in resolution.tools)


def test_unresolvable_names_are_problems_and_raise() -> None:
    resolution = resolve_tools(make_spec(tools=["web_scraper@^3", "nope", "tag:nothing"]), candidates())
    assert [p.path for p in resolution.problems] == ["tools.0", "tools.1"]
    assert "registered versions: 1.2.0, 1.4.1, 2.0.0" in resolution.problems[0].message
    assert "no such tool is registered" in resolution.problems[1].message
    assert [p.path for p in resolution.warnings] == ["tools.2"]
    with pytest.raises(ToolResolutionError, match="cannot resolve the tools of agent 'demo'"):
        resolution.raise_for_problems()


def test_resolved_tool_accepts_a_registry_item_with_decimals() -> None:
    item = {
        "tool_name": "convert_units",
        "name": "convert_units",
        "version": "1.0.0",
        "lambda_arn": lambda_arn("tool-convert_units-dev") + ":3",
        "description": "Convert.",
        "input_schema": {
            "type": "object",
            "properties": {"v": {"type": "number", "maximum": Decimal("1.5")}},
        },
        "timeout_seconds": Decimal("5"),
        "tags": ["travel"],
        "owner": "arn:...",
        "manifest_sha256": "x" * 64,
    }
    tool = ResolvedTool.model_validate(item)
    assert tool.timeout_seconds == 5
    assert tool.input_schema["properties"]["v"]["maximum"] == 1.5
    assert tool.tags == ("travel",)


def test_resolved_tool_from_manifest_and_arn_validation() -> None:
    manifest = ToolManifest(
        name="t",
        version="1.0.0",
        description="d",
        input_schema={"type": "object"},
        human_approval_required=True,
    )
    tool = ResolvedTool.from_manifest(manifest, lambda_arn("tool-t-dev") + ":7")
    assert tool.human_approval_required and tool.lambda_arn.endswith(":7")
    with pytest.raises(ValidationError, match="lambda_arn"):
        ResolvedTool.from_manifest(manifest, "arn:aws:s3:::bucket")


@pytest.mark.parametrize(
    "qualifier",
    ["", ":$LATEST", ":live", ":0", ":07", ":1a", ":7\n", ":*"],
    ids=["unqualified", "latest", "alias", "zero", "leading-zero", "alias-digit", "newline", "wildcard"],
)
def test_a_tool_runs_only_by_published_version(qualifier: str) -> None:
    manifest = ToolManifest(name="t", version="1.0.0", description="d", input_schema={"type": "object"})
    with pytest.raises(ValidationError, match=r"tools are invoked by published version: .*:NAME:VERSION"):
        ResolvedTool.from_manifest(manifest, lambda_arn("tool-t-dev") + qualifier)
    assert ResolvedTool.from_manifest(manifest, lambda_arn("tool-t-dev") + ":10").lambda_arn.endswith(":10")
