"""Fixtures of the local emulator's own tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

LAMBDAS = Path(__file__).resolve().parents[1] / "fixtures" / "lambdas"


@pytest.fixture
def sources() -> Callable[[str], dict[str, str]]:
    """``sources("python_app")`` → the files of tests/fixtures/lambdas/python_app as a zip dict."""

    def load(name: str) -> dict[str, str]:
        root = LAMBDAS / name
        return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}

    return load
