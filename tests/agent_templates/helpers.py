"""Shared builders for agent_templates tests (pure: no emulator)."""

from __future__ import annotations

from typing import Any

from agent_templates import AgentSpec, ResolvedTool, validate_agent_spec

ACCOUNT = "123456789012"
GATEWAY_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:sfa-llm-gateway-dev"


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def tool_arn(name: str, version: int = 1) -> str:
    """A tool's published version, as the registry records it (``…:function:tool-x-dev:1``)."""
    return f"{lambda_arn(name)}:{version}"


def make_tool(name: str = "reverse_text", version: str = "1.0.0", **overrides: Any) -> ResolvedTool:
    data: dict[str, Any] = {
        "name": name,
        "version": version,
        "lambda_arn": tool_arn(f"tool-{name}-dev"),
        "description": f"The {name} tool.",
        "input_schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    }
    data.update(overrides)
    return ResolvedTool.model_validate(data)


def make_spec(**overrides: Any) -> AgentSpec:
    data: dict[str, Any] = {"name": "demo", "model": "offline:default", "system": "You help.", "tools": []}
    data.update(overrides)
    return validate_agent_spec(data)


def many_tools(count: int) -> list[ResolvedTool]:
    return [make_tool(f"tool_{i:04d}", description=f"Tool number {i}.") for i in range(count)]


def state_names(definition: dict[str, Any]) -> list[str]:
    """Every state name, iteration states included (as ``RunTools/InvokeTool``)."""
    names: list[str] = []
    for name, state in definition["States"].items():
        names.append(name)
        processor = state.get("ItemProcessor")
        if processor:
            names.extend(f"{name}/{inner}" for inner in processor["States"])
    return names
