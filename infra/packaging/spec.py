"""What goes into each platform Lambda bundle, and for which Lambda platform.

Two bundles, so each function ships only what it imports: ``control-plane`` (registrar, regenerator,
reconciler: one asset, three handlers) and ``gateway`` (the LLM gateway and the provider SDKs).
Their third-party requirements come from ``pyproject.toml`` (the base dependencies, minus what only
the CLI uses, plus the bundle's extras), resolved once for the target platform into a lock file
with hashes (:mod:`infra.packaging.lock`); bundling installs exactly that lock.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

__all__ = [
    "BUNDLES",
    "CLI_ONLY_REQUIREMENTS",
    "CONTROL_PLANE_BUNDLE",
    "GATEWAY_BUNDLE",
    "LAMBDA_PLATFORM",
    "LAMBDA_PYTHON",
    "LOCK_DIR",
    "BundleSpec",
    "project_metadata",
    "project_root",
]

LAMBDA_PYTHON = "3.14"
"""The Lambda runtime's Python (``python3.14``: the newest, SnapStart-capable, arm64)."""
LAMBDA_PLATFORM = "manylinux2014_aarch64"
"""Wheel platform tag of Lambda arm64 (Amazon Linux 2023, glibc 2.34 ≥ manylinux2014's 2.17)."""
LOCK_DIR = Path(__file__).resolve().parent / "locks"
# Base dependencies the Lambdas never import (the CLI's): left out of every bundle.
CLI_ONLY_REQUIREMENTS = frozenset({"typer", "rich"})


@dataclass(frozen=True)
class BundleSpec:
    """One Lambda bundle: our packages (copied from source) plus locked third-party wheels.

    ``extras`` are ``pyproject.toml`` optional-dependency groups added to the base dependencies;
    ``extra_requirements`` are further requirement strings (e.g. Powertools' tracer extra, which
    the handlers' ``Tracer`` needs and the base install does not).
    """

    name: str
    packages: tuple[str, ...]
    extras: tuple[str, ...] = ()
    extra_requirements: tuple[str, ...] = ()

    @property
    def lock_path(self) -> Path:
        return LOCK_DIR / f"{self.name}.txt"

    def requirements(self) -> list[str]:
        """The requirement strings to resolve (from ``pyproject.toml``), sorted."""
        meta = project_metadata()
        reqs = [r for r in meta["dependencies"] if _req_name(r) not in CLI_ONLY_REQUIREMENTS]
        for extra in self.extras:
            reqs += meta["optional-dependencies"][extra]
        reqs += self.extra_requirements
        return sorted(set(reqs), key=str.lower)


CONTROL_PLANE_BUNDLE = BundleSpec(
    name="control-plane",
    # control_plane validates manifests with the gateway's schema translators (portability hook)
    # and renders agents with agent_templates.
    packages=("agent_templates", "control_plane", "llm_gateway", "tool_sdk"),
    extra_requirements=("aws-lambda-powertools[tracer]",),
)
GATEWAY_BUNDLE = BundleSpec(
    name="gateway",
    packages=("llm_gateway", "tool_sdk"),
    extras=("providers",),
    extra_requirements=("aws-lambda-powertools[tracer]",),
)
BUNDLES: dict[str, BundleSpec] = {b.name: b for b in (CONTROL_PLANE_BUNDLE, GATEWAY_BUNDLE)}


def _req_name(requirement: str) -> str:
    name = requirement
    for sep in "<>=!~[; ":
        name = name.split(sep, 1)[0]
    return name.strip().lower()


@cache
def project_root() -> Path:
    """The directory holding the runtime packages (found without importing them)."""
    spec = find_spec("tool_sdk")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cannot locate the tool_sdk package: is sfn-agents installed?")
    return Path(next(iter(spec.submodule_search_locations))).resolve().parent


@cache
def project_metadata() -> dict[str, Any]:
    """``[project]`` of ``pyproject.toml`` (name, version, dependencies, extras, entry points)."""
    path = project_root() / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    except OSError as exc:
        raise RuntimeError(f"bundling needs the source checkout's pyproject.toml: {exc}") from None
