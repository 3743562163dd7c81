"""Lambda bundles: locks in step with pyproject, deterministic hashes, what a bundle contains."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from infra.packaging.bundle import SKIPPED_MARKER, PipLocalBundling, bundle_hash, source_files
from infra.packaging.lock import pip_platform_args, render_lock
from infra.packaging.spec import (
    BUNDLES,
    CONTROL_PLANE_BUNDLE,
    GATEWAY_BUNDLE,
    LAMBDA_PYTHON,
    project_metadata,
)

_PIN = re.compile(r"^([a-z0-9._-]+)==([^ ]+) \\$")
_HASH = re.compile(r"^    --hash=sha256:[0-9a-f]{64}$")


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_lock_is_current_pinned_and_hashed(name: str) -> None:
    bundle = BUNDLES[name]
    lines = bundle.lock_path.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    # pyproject.toml changed without `python -m infra.packaging.lock`? The header says so.
    assert f"# Requirements: {', '.join(bundle.requirements())}" in header
    body = [line for line in lines if not line.startswith("#")]
    pins = [_PIN.match(line) for line in body[0::2]]
    assert all(pins) and all(_HASH.match(line) for line in body[1::2])
    names = [m.group(1) for m in pins if m]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert {"boto3", "pydantic", "aws-lambda-powertools", "aws-xray-sdk"} <= set(names)
    if bundle is GATEWAY_BUNDLE:
        assert {"anthropic", "openai", "google-genai"} <= set(names)
    else:
        assert not {"anthropic", "openai", "typer", "rich"} & set(names)


def test_render_lock_is_stable() -> None:
    pins = [("b", "1.0", "0" * 64), ("a", "2.0", "1" * 64)]
    assert render_lock(CONTROL_PLANE_BUNDLE, sorted(pins)) == render_lock(CONTROL_PLANE_BUNDLE, sorted(pins))
    assert "--python-version" in pip_platform_args() and LAMBDA_PYTHON in pip_platform_args()
    assert "--only-binary=:all:" in pip_platform_args() and "manylinux2014_aarch64" in pip_platform_args()


def test_bundle_hash_is_deterministic_and_mode_specific() -> None:
    assert bundle_hash(CONTROL_PLANE_BUNDLE, "pip") == bundle_hash(CONTROL_PLANE_BUNDLE, "pip")
    assert bundle_hash(CONTROL_PLANE_BUNDLE, "pip") != bundle_hash(CONTROL_PLANE_BUNDLE, "skip")
    assert bundle_hash(CONTROL_PLANE_BUNDLE, "pip") != bundle_hash(GATEWAY_BUNDLE, "pip")


def test_sources_are_sorted_and_clean() -> None:
    files = source_files(CONTROL_PLANE_BUNDLE)
    rels = [r for r, _ in files]
    assert rels == sorted(rels)
    assert {r.split("/", 1)[0] for r in rels} == set(CONTROL_PLANE_BUNDLE.packages)
    assert "control_plane/registrar/handler.py" in rels
    assert "control_plane/events/schemas/ToolRegistered.schema.json" in rels
    assert not [r for r in rels if "__pycache__" in r or r.endswith(".pyc")]
    assert {r.split("/", 1)[0] for r, _ in source_files(GATEWAY_BUNDLE)} == {"llm_gateway", "tool_sdk"}


def test_skip_bundle_contents(tmp_path: Path) -> None:
    PipLocalBundling(GATEWAY_BUNDLE, "skip").build(tmp_path)
    meta = project_metadata()
    dist = tmp_path / f"sfn_agents-{meta['version']}.dist-info"
    assert (dist / "METADATA").read_text().startswith("Metadata-Version: 2.1\nName: sfn-agents\n")
    assert (tmp_path / "llm_gateway" / "handler.py").is_file()
    assert (tmp_path / SKIPPED_MARKER).is_file()
    assert not (tmp_path / "control_plane").exists()


@pytest.mark.skipif(
    not os.environ.get("SFA_TEST_REAL_BUNDLE"), reason="set SFA_TEST_REAL_BUNDLE=1 (needs PyPI)"
)
def test_real_bundle_is_reproducible(tmp_path: Path) -> None:
    """pip-installs the control-plane lock twice: byte-identical trees, no bin/, no .pyc."""
    trees = []
    for run in ("a", "b"):
        out = tmp_path / run
        started = time.monotonic()
        PipLocalBundling(CONTROL_PLANE_BUNDLE, "pip").build(out)
        print(f"bundle {run}: {time.monotonic() - started:.1f} s")
        assert (out / "pydantic_core").is_dir() and not (out / "bin").exists()
        assert not list(out.rglob("*.pyc"))
        assert list(out.glob("pydantic_core/_pydantic_core.cpython-*-aarch64-linux-gnu.so"))
        trees.append(
            {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        )
    assert trees[0] == trees[1]
    shutil.rmtree(tmp_path)
