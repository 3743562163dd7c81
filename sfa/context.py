"""Where commands send their AWS calls: ``AWS_ENDPOINT_URL`` if set, else a running ``sfa local up``.

``sfa local up`` writes its endpoint to a state file (``$SFA_HOME/local.json``, default
``~/.sfa``); when no endpoint is set in the environment, the CLI adopts it (endpoint, dummy
credentials, region, ``SFA_ENV``), so that after ``sfa local up`` in one terminal, ``sfa tools list``
in another just works. With neither, boto3's normal resolution applies (a real AWS account).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = [
    "adopt_local_environment",
    "aws_client",
    "local_state",
    "local_state_path",
    "resolve_env",
    "write_local_state",
]

_DUMMY = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}


def local_state_path() -> Path:
    return Path(os.environ.get("SFA_HOME", Path.home() / ".sfa")) / "local.json"


def write_local_state(state: dict[str, Any] | None) -> None:
    path = local_state_path()
    if state is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=2))


def local_state() -> dict[str, Any] | None:
    """The state of a running ``sfa local up`` (None when absent or its process is gone)."""
    try:
        state = json.loads(local_state_path().read_text())
        os.kill(int(state["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state


def adopt_local_environment() -> bool:
    """Point this process's boto3 at a running ``sfa local up`` when no endpoint is configured.

    Sets ``AWS_ENDPOINT_URL``, dummy credentials, the region and ``SFA_ENV`` (unless already set), so
    every command — including those that use boto3's default resolution — reaches local mode.
    """
    if os.environ.get("AWS_ENDPOINT_URL"):
        return False
    state = local_state()
    if not state:
        return False
    os.environ["AWS_ENDPOINT_URL"] = state["endpoint_url"]
    os.environ.update(_DUMMY)
    os.environ.setdefault("AWS_DEFAULT_REGION", state.get("region", "us-east-1"))
    os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
    os.environ.setdefault("SFA_ENV", state.get("env", "dev"))
    return True


def resolve_env(env: str | None) -> str:
    return env or os.environ.get("SFA_ENV") or (local_state() or {}).get("env") or "dev"


def aws_client(service: str) -> Any:
    """A boto3 client for ``service``: boto3's default resolution, which the ``sfa`` root callback
    (:func:`adopt_local_environment`) points at a running ``sfa local up`` when no endpoint is set."""
    import boto3
    from botocore.config import Config

    config = Config(account_id_endpoint_mode="disabled", retries={"mode": "standard", "max_attempts": 3})
    return boto3.client(service, config=config)
