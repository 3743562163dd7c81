"""Helpers of the local emulator's own tests."""

from __future__ import annotations

import json
from typing import Any


def pass_machine(marker: str) -> dict[str, Any]:
    """A JSONata state machine whose output is ``{"ran": marker}``: which definition ran."""
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": {"ran": marker}, "End": True}},
    }


def output(described: dict[str, Any]) -> Any:
    """The output of a described execution, which must have succeeded."""
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])
