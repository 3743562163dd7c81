"""The gateway's tool invoker calls only the calling agent's tools, inside the tool cap."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from llm_gateway.errors import InvalidRequest, ToolNotAllowed
from llm_gateway.platform_ops import ToolCap, invoke_tool

ACCOUNT = "arn:aws:lambda:us-east-1:123456789012:function"
TOOL_FUNCTION = f"{ACCOUNT}:tool-search-dev"
TOOL = f"{TOOL_FUNCTION}:3"  # tools are invoked by published version, as the registry records them
OTHER_TOOL = f"{ACCOUNT}:tool-other-dev:1"
GATEWAY = f"{ACCOUNT}:sfa-llm-gateway-dev"
EXTRA = f"{ACCOUNT}:team-a-search"  # an extra names a function: its published versions are tools
CAP = ToolCap(env="dev", extra_arns=(EXTRA, f"{ACCOUNT}:team-b-*"))


class FakeLambda:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        self.calls.append(FunctionName)
        return {"Payload": io.BytesIO(json.dumps({"echo": json.loads(Payload)}).encode())}


def _invoke(function: str, allowed: Any, cap: ToolCap = CAP) -> tuple[Any, list[str]]:
    client = FakeLambda()
    event = {"sfa_op": "invoke_tool", "function": function, "name": "t", "input": {"q": 1}}
    if allowed is not None:
        event["allowed"] = allowed
    return invoke_tool(event, None, client, cap), client.calls


@pytest.mark.parametrize(
    "function", [TOOL, f"{TOOL_FUNCTION}:12", f"{EXTRA}:1", f"{ACCOUNT}:team-b-x:2", f"{ACCOUNT}:team-b-y:40"]
)
def test_listed_tools_inside_the_cap_are_invoked(function: str) -> None:
    result, calls = _invoke(function, [OTHER_TOOL, function])
    assert calls == [function]
    assert json.loads(result) == {"echo": {"q": 1}}


@pytest.mark.parametrize("allowed", [None, [], [OTHER_TOOL], TOOL, [f"{TOOL_FUNCTION}:4"]])
def test_a_function_the_definition_does_not_list_is_refused(allowed: Any) -> None:
    with pytest.raises(ToolNotAllowed, match="not a tool of this agent's definition"):
        _invoke(TOOL, allowed)


@pytest.mark.parametrize(
    "function",
    [
        f"{GATEWAY}:7",  # listed by a forged definition, but the gateway is no tool
        f"{ACCOUNT}:tool-search-prod:3",  # another environment's tool
        f"{ACCOUNT}:tool--dev:3",  # no tool id
        f"{ACCOUNT}:team-a-search-2:3",  # near an extra ARN
        "arn:aws:lambda:us-east-1:999999999999:function:team-a-search:3",
    ],
)
def test_a_listed_function_outside_the_cap_is_refused(function: str) -> None:
    with pytest.raises(ToolNotAllowed, match="outside the tool cap"):
        _invoke(function, [function])


@pytest.mark.parametrize(
    "function",
    [
        TOOL_FUNCTION,  # unqualified: $LATEST, whatever was deployed last
        f"{TOOL_FUNCTION}:$LATEST",
        f"{TOOL_FUNCTION}:live",  # an alias can be moved to unregistered code
        f"{TOOL_FUNCTION}:0",
        f"{TOOL_FUNCTION}:03",
        EXTRA,  # inside the cap by name, but not a version
        f"{EXTRA}:live",
        GATEWAY,
    ],
)
def test_a_listed_tool_not_qualified_by_a_published_version_is_refused(function: str) -> None:
    expected = r"tools are invoked by published version only \(…:function:NAME:VERSION\)"
    with pytest.raises(ToolNotAllowed, match=expected):
        _invoke(function, [function])
    assert not CAP.allows(function)


def test_not_an_arn_is_an_invalid_request() -> None:
    with pytest.raises(InvalidRequest, match="not a Lambda function ARN"):
        _invoke("tool-search-dev", ["tool-search-dev"])


def test_the_cap_comes_from_the_gateway_environment() -> None:
    cap = ToolCap.from_env({"SFA_ENV": "prod", "SFA_EXTRA_TOOL_FUNCTION_ARNS": f" {EXTRA}, ,{GATEWAY}:*"})
    assert cap == ToolCap(env="prod", extra_arns=(EXTRA, f"{GATEWAY}:*"))
    assert cap.allows(f"{ACCOUNT}:tool-x-prod:1") and not cap.allows(TOOL)
    assert not cap.allows(f"{ACCOUNT}:tool-x-prod")
    assert ToolCap.from_env({}) == ToolCap(env="dev", extra_arns=())
