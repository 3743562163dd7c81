"""Shared builders for tool_sdk tests."""

from __future__ import annotations

from typing import Any


def make_manifest_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "convert_units",
        "version": "1.2.0",
        "description": "Convert a quantity between units of measure.",
        "input_schema": {
            "type": "object",
            "properties": {
                "value": {"type": "number"},
                "from_unit": {"type": "string"},
                "to_unit": {"type": "string"},
            },
            "required": ["value", "from_unit", "to_unit"],
        },
        "language": "python",
        "tags": ["travel", "math"],
        "author": "team-travel",
    }
    data.update(overrides)
    return data
