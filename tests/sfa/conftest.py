from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass
class LocalUp:
    """A running ``sfa local up`` in its own process, and the environment to reach it from others."""

    process: subprocess.Popen
    endpoint: str
    env: dict[str, str]

    def sfa(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "sfa", *args], capture_output=True, text=True, env=self.env, timeout=120
        )


@pytest.fixture
def local_up(tmp_path) -> Iterator[LocalUp]:
    """``sfa local up`` with its state file under ``tmp_path``; stopped with Ctrl-C at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SFA_"))}
    env["SFA_HOME"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "sfa", "local", "up"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("AWS_ENDPOINT_URL=http://127.0.0.1:"), line + process.stderr.read()
        yield LocalUp(process, line.split("=", 1)[1], env)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
