"""The bookkeeping every patch module shares: what was replaced, so ``remove`` can restore it."""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["MISSING", "lock", "original", "originals", "patch", "state"]

MISSING = object()
lock = threading.RLock()
# (owner, attribute, original value or MISSING), in the order the patches were installed.
originals: list[tuple[Any, str, Any]] = []
# What the patched functions need at call time (set by ``apply``, cleared by ``remove``).
state: dict[str, Any] = {"runner": None, "pump": None}


def patch(owner: Any, name: str, value: Any) -> None:
    """Replace ``owner.name`` with ``value``, remembering what was there (possibly nothing)."""
    originals.append((owner, name, owner.__dict__.get(name, MISSING)))
    setattr(owner, name, value)


def original(owner: Any, name: str) -> Any:
    """moto's own ``owner.name`` (before any patch), for patches that wrap it."""
    for patched_owner, patched_name, value in originals:
        if patched_owner is owner and patched_name == name:
            return value
    return getattr(owner, name)
