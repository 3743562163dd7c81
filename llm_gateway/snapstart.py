"""Lambda SnapStart support: import the configured providers' SDKs *before* the snapshot.

Provider SDKs cost 0.3-1.1 s each to import and the gateway imports them lazily. With SnapStart on
the gateway's published versions (the CDK ``snap_start`` prop), Lambda runs the init phase once,
snapshots the memory, and restores it on cold starts — so importing the SDKs in a before-snapshot
hook moves that cost out of every cold start. ``snapshot_restore_py`` exists only in the Lambda
Python runtime (3.12+); elsewhere :func:`install_hooks` does nothing.

``SFA_LLM_PRELOAD_PROVIDERS``: comma-separated provider names to preload (default: none).
"""

from __future__ import annotations

import importlib
import os
import random

from llm_gateway.providers import provider_class

__all__ = ["PRELOAD_ENV", "install_hooks", "preload", "reseed"]

PRELOAD_ENV = "SFA_LLM_PRELOAD_PROVIDERS"
# The SDK each built-in provider imports on first use.
_SDK_MODULES = {"anthropic": "anthropic", "openai": "openai", "gemini": "google.genai", "bedrock": "boto3"}


def preload(names: list[str] | None = None) -> list[str]:
    """Import the provider modules and SDKs named (default: ``SFA_LLM_PRELOAD_PROVIDERS``)."""
    if names is None:
        names = [n.strip() for n in os.environ.get(PRELOAD_ENV, "").split(",") if n.strip()]
    loaded = []
    for name in names:
        provider_class(name)  # raises InvalidRequest for an unknown provider: a config error
        if name in _SDK_MODULES:
            importlib.import_module(_SDK_MODULES[name])
        loaded.append(name)
    return loaded


def reseed() -> None:
    """After a restore, every environment would share the snapshot's random state: reseed it so
    retry jitter differs between concurrently restored environments."""
    random.seed()


def install_hooks() -> bool:
    """Register the before-snapshot/after-restore hooks when running under SnapStart."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(preload)
    register_after_restore(reseed)
    return True
