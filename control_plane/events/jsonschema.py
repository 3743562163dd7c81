"""JSON Schemas of the event details, generated from the models into ``schemas/``.

Regenerate after changing a model: ``python -m control_plane.events`` (a test fails when
the shipped files are stale).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from control_plane.events.models import EVENT_SOURCE
from control_plane.events.parse import DETAIL_TYPES

__all__ = ["SCHEMA_DIR", "detail_schema", "generate_schemas", "load_schema", "write_schemas"]

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def detail_schema(detail_type: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one detail type, generated from its model."""
    cls = DETAIL_TYPES[detail_type]
    schema = cls.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://sfn-agents.dev/schemas/events/{detail_type}.schema.json",
        "x-event-source": EVENT_SOURCE,
        "x-detail-type": detail_type,
        **schema,
    }


def generate_schemas() -> dict[str, str]:
    """File name → content for every detail type (deterministic text)."""
    return {
        f"{name}.schema.json": json.dumps(detail_schema(name), indent=2, sort_keys=True) + "\n"
        for name in sorted(DETAIL_TYPES)
    }


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate_schemas().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def load_schema(detail_type: str) -> dict[str, Any]:
    """The shipped JSON Schema of ``detail_type`` (read from the installed package)."""
    text = (
        resources.files("control_plane.events.schemas")
        .joinpath(f"{detail_type}.schema.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)
