"""Tag codec: encode + decode of a 10 KB manifest, with and without the schema-validation memo.

``tag_codec_roundtrip_us_p50`` is the honest cold figure: the metaschema-validation memo is cleared
before every round trip, so each decode validates the input schema from scratch (what the registrar
pays for a schema it has not seen). The cached figure is what a repeat of a known schema costs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import percentile, time_calls
from tool_sdk import canonical_manifest_json, decode_manifest_tags, encode_manifest_tags, validate_manifest
from tool_sdk.manifest import _cached_schema_problems


def ten_kb_manifest():
    props = {
        f"field_{i}": {"type": "string", "description": f"Field {i}: the {i}th input of a large tool."}
        for i in range(110)
    }
    data = {
        "name": "big_tool",
        "version": "1.0.0",
        "description": "A tool with a large input schema. " * 25,
        "input_schema": {"type": "object", "properties": props},
    }
    manifest = validate_manifest(data, portability=False)[0]
    assert len(canonical_manifest_json(manifest)) >= 10_000
    return manifest


def run() -> dict[str, dict]:
    manifest = ten_kb_manifest()

    def cold() -> None:
        _cached_schema_problems.cache_clear()
        decode_manifest_tags(encode_manifest_tags(manifest))

    def warm() -> None:
        decode_manifest_tags(encode_manifest_tags(manifest))

    cold_us = [s * 1e6 for s in time_calls(cold, repeat=60)]
    warm_us = [s * 1e6 for s in time_calls(warm, repeat=300)]
    encode_us = [s * 1e6 for s in time_calls(lambda: encode_manifest_tags(manifest), repeat=300)]
    size = len(canonical_manifest_json(manifest))
    tags = encode_manifest_tags(manifest)
    return {
        "tag_codec_roundtrip_us_p50": {
            "value": round(percentile(cold_us, 50), 1),
            "unit": "us",
            "p95": round(percentile(cold_us, 95), 1),
            "manifest_bytes": size,
            "tags": len(tags),
        },
        "tag_codec_roundtrip_cached_us_p50": {
            "value": round(percentile(warm_us, 50), 1),
            "unit": "us",
            "baseline": "tag_codec_roundtrip_us_p50",
            "ratio_to_baseline": round(percentile(warm_us, 50) / percentile(cold_us, 50), 4),
        },
        "tag_codec_encode_us_p50": {"value": round(percentile(encode_us, 50), 1), "unit": "us"},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
