"""The manifest's JSON Schema, exported to ``tool_sdk/manifest.schema.json`` for editors and CI.

Regenerate with ``sfa manifest schema > tool_sdk/manifest.schema.json`` (a test fails when the file is stale).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tool_sdk.manifest import ToolManifest

__all__ = ["SCHEMA_PATH", "manifest_json_schema", "manifest_json_schema_text"]

SCHEMA_PATH = Path(__file__).with_name("manifest.schema.json")
_SCHEMA_ID = "https://sfn-agents.dev/schemas/tool-manifest.schema.json"


def manifest_json_schema() -> dict[str, Any]:
    schema = ToolManifest.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": _SCHEMA_ID, **schema}


def manifest_json_schema_text() -> str:
    return json.dumps(manifest_json_schema(), indent=2, sort_keys=True) + "\n"
