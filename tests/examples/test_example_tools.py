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
UPDATES = EXAMPLES.parent / "updates"
TOOL_DIRS = sorted(p for root in (EXAMPLES, UPDATES) for p in root.iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", TOOL_DIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_manifest_is_valid_and_fits_tags(folder):
    manifest = load_manifest(folder / "manifest.yaml")
    assert manifest.name == folder.name
    assert all(is_valid_aws_tag(k, v) for k, v in encode_manifest_tags(manifest).items())


def load_handler(folder: Path):
    spec = importlib.util.spec_from_file_location(f"h_{folder.parent.name}", folder / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_convert_units_python_handler():
    module = load_handler(EXAMPLES / "convert_units")
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


def test_convert_units_update_adds_nautical_miles():
    old, new = load_handler(EXAMPLES / "convert_units"), load_handler(UPDATES / "convert_units")
    with pytest.raises(ValueError, match="unknown unit"):
        old.handler({"value": 1852, "from_unit": "m", "to_unit": "nmi"}, None)
    assert new.handler({"value": 1852, "from_unit": "m", "to_unit": "nmi"}, None) == {
        "value": 1.0,
        "unit": "nmi",
    }


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_word_freq_typescript_tool_compiled_by_make():
    compiled = EXAMPLES / "word_freq" / "dist" / "index.js"
    assert compiled.is_file(), "build it: make test (or npm ci && npm run build in examples/tools/word_freq)"
    script = (
        f"const m = require({json.dumps(str(compiled))});"
        "m.handler({text: 'the cat and the hat and the bat', top: 2})"
        ".then(r => console.log(JSON.stringify(r)));"
        "m.handler({text: 'x', top: 0}).catch(e => console.log(e.name));"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=30)
    first, second = out.stdout.strip().splitlines()
    assert json.loads(first) == {"words": [{"word": "the", "count": 3}, {"word": "and", "count": 2}]}
    assert second == "RangeError"
