"""Lock files of the Lambda bundles: every wheel, pinned, with its sha256, for Lambda arm64.

``python -m infra.packaging.lock`` (network: PyPI) resolves each bundle's requirements with pip's
resolver *for the target platform* (``--platform manylinux2014_aarch64 --python-version 3.14
--only-binary=:all:``, so an sdist can never sneak in and no compiler or Docker is needed) and writes
``infra/packaging/locks/<bundle>.txt``. Bundling then runs ``pip install --no-deps
--require-hashes -r <lock>``: the same bytes on every machine, until the lock is regenerated on
purpose (commit the diff; review it like code).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from infra.packaging.spec import BUNDLES, LAMBDA_PLATFORM, LAMBDA_PYTHON, BundleSpec

__all__ = ["download", "main", "pip_platform_args", "render_lock", "resolve"]

_HEADER = """\
# Lock of the {name!r} Lambda bundle: {platform}, CPython {python}. Generated; do not edit.
# Regenerate with: python -m infra.packaging.lock   (resolves pyproject.toml's ranges on PyPI)
# Requirements: {requirements}
"""


def pip_platform_args() -> list[str]:
    """pip options that select wheels for Lambda arm64 / CPython ``LAMBDA_PYTHON``, binaries only."""
    abi = "cp" + LAMBDA_PYTHON.replace(".", "")
    return [
        "--platform",
        LAMBDA_PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        LAMBDA_PYTHON,
        "--abi",
        abi,
        "--abi",
        "abi3",
        "--abi",
        "none",
        "--only-binary=:all:",
    ]


def resolve(bundle: BundleSpec) -> list[tuple[str, str, str]]:
    """``(name, version, sha256)`` of every wheel pip resolves for ``bundle``, sorted by name."""
    with tempfile.TemporaryDirectory(prefix="sfa-lock-") as tmp:
        report = Path(tmp) / "report.json"
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--quiet",
            "--ignore-installed",
            "--disable-pip-version-check",
            "--report",
            str(report),
            "--target",
            str(Path(tmp) / "target"),
            *pip_platform_args(),
            *bundle.requirements(),
        ]
        subprocess.run(cmd, check=True)
        data = json.loads(report.read_text(encoding="utf-8"))
    pins = []
    for item in data["install"]:
        archive = item["download_info"].get("archive_info") or {}
        sha = (archive.get("hashes") or {}).get("sha256")
        if not sha and str(archive.get("hash", "")).startswith("sha256="):
            sha = archive["hash"].split("=", 1)[1]
        if not sha:
            raise RuntimeError(f"pip reported no sha256 for {item['metadata']['name']}")
        name = re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower()  # PEP 503 normalized
        pins.append((name, item["metadata"]["version"], sha))
    return sorted(pins)


def render_lock(bundle: BundleSpec, pins: list[tuple[str, str, str]]) -> str:
    """The lock file's text (sorted, stable: regenerating an unchanged resolution is a no-op)."""
    head = _HEADER.format(
        name=bundle.name,
        platform=LAMBDA_PLATFORM,
        python=LAMBDA_PYTHON,
        requirements=", ".join(bundle.requirements()),
    )
    body = "".join(f"{n}=={v} \\\n    --hash=sha256:{h}\n" for n, v, h in pins)
    return head + body


def download(bundle: BundleSpec, wheelhouse: Path) -> None:
    """Fetch the locked wheels of ``bundle`` into ``wheelhouse`` (hash-checked) for offline synths."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--require-hashes",
        "--disable-pip-version-check",
        "--dest",
        str(wheelhouse),
        *pip_platform_args(),
        "-r",
        str(bundle.lock_path),
    ]
    subprocess.run(cmd, check=True)


def main(argv: list[str] | None = None) -> int:
    """Regenerate the lock files of the named bundles (default: all); with ``--download DIR``,
    download their locked wheels into DIR instead (a wheelhouse for ``sfa:wheelhouse``)."""
    args = list(argv if argv is not None else sys.argv[1:])
    if args[:1] == ["--download"]:
        if len(args) < 2:
            raise SystemExit("usage: python -m infra.packaging.lock --download DIR [bundle ...]")
        for name in args[2:] or sorted(BUNDLES):
            download(BUNDLES[name], Path(args[1]))
            print(f"{args[1]}: wheels of {name}")
        return 0
    names = args or sorted(BUNDLES)
    for name in names:
        bundle = BUNDLES[name]
        pins = resolve(bundle)
        bundle.lock_path.parent.mkdir(parents=True, exist_ok=True)
        bundle.lock_path.write_text(render_lock(bundle, pins), encoding="utf-8")
        print(f"{bundle.lock_path}: {len(pins)} wheels")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
