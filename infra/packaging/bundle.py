"""Local (Docker-free) bundling of the platform Lambdas: ``lambda_.Code`` for a :class:`BundleSpec`.

CDK calls :meth:`PipLocalBundling.try_bundle` during synth. It copies our packages from the source
tree (only ``.py`` and package data, sorted, no ``__pycache__``), writes a minimal
``sfn_agents-<version>.dist-info`` carrying the project's entry points (the registrar finds the
gateway's schema-portability checkers through them), and installs the bundle's lock file with
``pip install --no-deps --require-hashes --only-binary=:all: --platform manylinux2014_aarch64``:
wheels only, so nothing compiles and nothing needs Docker. ``try_bundle`` never returns False
(that would make CDK fall back to Docker): it raises with the reason instead.

Reproducible: the asset hash is computed here from the lock, the copied sources and the bundling
mode (``AssetHashType.CUSTOM``), so identical inputs give the same asset (and S3 key) on every
machine, and CDK reuses an already-bundled ``cdk.out/asset.<hash>``; console scripts (``bin/``, whose
shebangs name the local interpreter) are dropped and no ``.pyc`` is written (the build Python is not
the runtime's); CDK zips with fixed timestamps in sorted order.

Modes (context ``sfa:bundling``): ``pip`` (default) as above; ``skip`` copies our sources only
(no third-party wheels, no network) — for tests and quick template reviews, never for deploys.
Context ``sfa:wheelhouse=DIR`` installs from a local directory of wheels instead of PyPI
(``python -m infra.packaging.lock --download DIR`` fills it; hashes are still checked), for
synths without network. pip's own cache makes repeated synths fast and offline too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.packaging.lock import pip_platform_args
from infra.packaging.spec import BundleSpec, project_metadata, project_root

__all__ = [
    "BUNDLING_CONTEXT_KEY",
    "BUNDLING_MODES",
    "SKIPPED_MARKER",
    "WHEELHOUSE_CONTEXT_KEY",
    "PipLocalBundling",
    "bundle_code",
    "bundle_hash",
    "bundling_mode",
    "source_files",
]

BUNDLING_CONTEXT_KEY = "sfa:bundling"
WHEELHOUSE_CONTEXT_KEY = "sfa:wheelhouse"
BUNDLING_MODES = ("pip", "skip")
SKIPPED_MARKER = "SFA_BUNDLE_WITHOUT_DEPENDENCIES.txt"
_FORMAT = "sfa-bundle-v1"
_DATA_SUFFIXES = frozenset({".py", ".json", ".yaml", ".yml", ".txt", ".js", ".typed"})


def bundling_mode(scope: Construct) -> str:
    """The bundling mode from context ``sfa:bundling`` (``pip`` unless set)."""
    mode = str(scope.node.try_get_context(BUNDLING_CONTEXT_KEY) or "pip")
    if mode not in BUNDLING_MODES:
        raise ValueError(f"context {BUNDLING_CONTEXT_KEY}={mode!r}: use one of {', '.join(BUNDLING_MODES)}")
    return mode


def source_files(bundle: BundleSpec) -> list[tuple[str, Path]]:
    """``(path in the bundle, source path)`` of our packages' files, sorted."""
    root = project_root()
    out: list[tuple[str, Path]] = []
    for package in bundle.packages:
        base = root / package
        if not (base / "__init__.py").is_file():
            raise FileNotFoundError(f"package {package!r} not found under {root}")
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if path.suffix in _DATA_SUFFIXES:
                    out.append((path.relative_to(root).as_posix(), path))
    return sorted(out)


def _dist_info() -> dict[str, str]:
    """A minimal dist-info so ``importlib.metadata`` sees the project's version and entry points."""
    meta = project_metadata()
    name, version = meta["name"], meta["version"]
    folder = f"{name.replace('-', '_')}-{version}.dist-info"
    files = {f"{folder}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"}
    groups = meta.get("entry-points") or {}
    if groups:
        lines = []
        for group in sorted(groups):
            lines.append(f"[{group}]")
            lines += [f"{k} = {v}" for k, v in sorted(groups[group].items())]
            lines.append("")
        files[f"{folder}/entry_points.txt"] = "\n".join(lines)
    return files


def bundle_hash(bundle: BundleSpec, mode: str) -> str:
    """The asset hash: changes exactly when the bundle's content would."""
    h = hashlib.sha256()
    for part in (_FORMAT, bundle.name, mode, " ".join(pip_platform_args())):
        h.update(part.encode() + b"\0")
    if mode == "pip":
        h.update(bundle.lock_path.read_bytes())
    for rel, path in source_files(bundle):
        h.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    for rel, text in sorted(_dist_info().items()):
        h.update(rel.encode() + b"\0" + text.encode())
    return h.hexdigest()


@jsii.implements(cdk.ILocalBundling)
class PipLocalBundling:
    """CDK local bundling for a :class:`BundleSpec` (see the module docstring)."""

    def __init__(self, bundle: BundleSpec, mode: str, wheelhouse: str | None = None) -> None:
        self.bundle = bundle
        self.mode = mode
        self.wheelhouse = wheelhouse

    def try_bundle(self, output_dir: str, options: object = None) -> bool:
        """jsii passes the BundlingOptions struct positionally; it is not needed here."""
        try:
            self.build(Path(output_dir))
        except Exception as exc:  # jsii would only show "callback failed": print the reason
            print(f"sfa bundling of {self.bundle.name!r} failed: {exc}", file=sys.stderr)
            raise
        return True

    def build(self, out: Path) -> None:
        started = time.monotonic()
        for rel, path in source_files(self.bundle):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        for rel, text in _dist_info().items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_text(text, encoding="utf-8")
        if self.mode == "skip":
            (out / SKIPPED_MARKER).write_text(
                "Bundled with -c sfa:bundling=skip: third-party dependencies are missing. "
                "Do not deploy this asset.\n",
                encoding="utf-8",
            )
            return
        self._pip_install(out)
        shutil.rmtree(out / "bin", ignore_errors=True)
        print(
            f"sfa: bundled {self.bundle.name} ({self.bundle.lock_path.name}) "
            f"in {time.monotonic() - started:.1f} s",
            file=sys.stderr,
        )

    def _pip_install(self, out: Path) -> None:
        if not self.bundle.lock_path.is_file():
            raise FileNotFoundError(
                f"{self.bundle.lock_path} is missing: run `python -m infra.packaging.lock` (needs PyPI)"
            )
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--require-hashes",
            "--no-compile",
            "--disable-pip-version-check",
            "--no-warn-script-location",
            "--target",
            str(out),
            *pip_platform_args(),
            "-r",
            str(self.bundle.lock_path),
        ]
        if self.wheelhouse:  # air-gapped: wheels from `python -m infra.packaging.lock --download DIR`
            cmd += ["--no-index", "--find-links", self.wheelhouse]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"pip install for {self.bundle.name} failed ({result.returncode}):\n{result.stderr[-4000:]}"
            )


def bundle_code(scope: Construct, bundle: BundleSpec) -> lambda_.Code:
    """``lambda_.Code`` of ``bundle``, bundled locally in the mode chosen by context ``sfa:bundling``."""
    mode = bundling_mode(scope)
    wheelhouse = scope.node.try_get_context(WHEELHOUSE_CONTEXT_KEY)
    return lambda_.Code.from_asset(
        str(project_root()),
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash=bundle_hash(bundle, mode),
        bundling=cdk.BundlingOptions(
            # Required by the API, never pulled: local bundling always succeeds or raises.
            image=cdk.DockerImage.from_registry("sfa-local-bundling-only"),
            local=PipLocalBundling(bundle, mode, str(wheelhouse) if wheelhouse else None),
        ),
    )
