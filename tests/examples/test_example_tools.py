"""The example tools are what `make demo` deploys: their manifests validate and their code works."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tool_sdk import encode_manifest_tags, is_valid_aws_tag, load_manifest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tools"


@pytest.mark.parametrize("tool", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_example_manifest_is_valid_and_fits_tags(tool):
    manifest = load_manifest(EXAMPLES / tool / "manifest.yaml")
    assert manifest.name == tool
    assert all(is_valid_aws_tag(k, v) for k, v in encode_manifest_tags(manifest).items())


def test_convert_units_python_handler():
    spec = importlib.util.spec_from_file_location("convert_units", EXAMPLES / "convert_units" / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.handler({"value": 42.195, "from_unit": "km", "to_unit": "mi"}, None) == {
        "value": 26.2188,
        "unit": "mi",
    }
    assert module.handler({"value": 100, "from_unit": "c", "to_unit": "f"}, None)["value"] == 212
    with pytest.raises(ValueError, match="cannot convert length"):
        module.handler({"value": 1, "from_unit": "km", "to_unit": "kg"}, None)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_text_stats_node_handler():
    script = (
        f"import({json.dumps(str(EXAMPLES / 'text_stats' / 'index.mjs'))})"
        ".then(m => m.handler({text: 'Hello big world. Bye!'}))"
        ".then(r => console.log(JSON.stringify(r)))"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=30)
    assert json.loads(out.stdout) == {"words": 4, "characters": 21, "sentences": 2, "longest_word": "Hello"}
