"""One warm Lambda worker process and its line protocol (the parent side).

Why processes, not threads in the emulator's process: a handler needs its own environment variables,
its own ``sys.modules`` (two tools may both ship a module called ``handler``), a working directory, and
it must be killable when it exceeds its timeout — none of which a thread can give. Why warm workers:
a cold ``python`` + ``import boto3`` costs hundreds of milliseconds, and AWS reuses execution
environments too (module-level state survives between invocations there as well).

The child's stdout and stderr are its logs (forwarded to the ``local.lambda`` logger); protocol
messages travel on a separate pipe so a handler's ``print`` can never corrupt them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

__all__ = ["WorkerDiedError", "WorkerProcess"]

log = logging.getLogger("local.lambda")


class WorkerDiedError(Exception):
    """The worker process exited (or closed its result pipe) before answering."""

    def __init__(self, returncode: int | None) -> None:
        self.returncode = returncode
        if returncode is None:
            status = "unknown"
        elif returncode < 0:
            status = f"signal: {signal.Signals(-returncode).name.removeprefix('SIG').lower()}"
        else:
            status = f"exit status {returncode}"
        super().__init__(f"Runtime exited with error: {status}")


class WorkerProcess:
    """A child process running ``argv`` that answers JSON requests, one at a time."""

    def __init__(self, argv: list[str], *, env: dict[str, str], cwd: Path, label: str) -> None:
        read_fd, write_fd = os.pipe()
        env = {**env, "_SFA_RESULT_FD": str(write_fd)}
        try:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=env,
                pass_fds=(write_fd,),
                start_new_session=True,  # its own process group: a timeout kills its children too
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self._result_fd = read_fd
        self._buffer = b""
        self._closed = False
        self.label = label
        self.last_used = time.monotonic()
        assert self._proc.stdout is not None
        threading.Thread(
            target=_forward_logs, args=(self._proc.stdout, label), daemon=True, name=f"log-{label}"
        ).start()

    @property
    def alive(self) -> bool:
        return not self._closed and self._proc.poll() is None

    def send(self, message: dict[str, Any]) -> None:
        """Write one request line; a dead worker raises :class:`WorkerDiedError`."""
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise WorkerDiedError(self._returncode()) from None

    def receive(self, deadline: float) -> dict[str, Any] | None:
        """Read one message; ``None`` when ``deadline`` (``time.monotonic()``) passes first."""
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._result_fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self._result_fd, 1 << 16)
            if not chunk:
                raise WorkerDiedError(self._returncode())
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        self.last_used = time.monotonic()
        return json.loads(line)

    def terminate(self) -> None:
        """Kill the process group (the worker and anything it started), leaving the pipes open.

        Safe from any thread: a thread blocked in :meth:`receive` sees end-of-file and raises
        :class:`WorkerDiedError`; only the worker's current user may :meth:`close` it.
        """
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)

    def close(self) -> None:
        """Terminate the worker and release its pipes; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.terminate()
        with contextlib.suppress(Exception):
            self._proc.wait(timeout=5)
        with contextlib.suppress(Exception):
            self._proc.stdin.close()  # type: ignore[union-attr]
        with contextlib.suppress(OSError):
            os.close(self._result_fd)

    def _returncode(self) -> int | None:
        try:
            return self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None


def _forward_logs(stream: IO[bytes], label: str) -> None:
    with contextlib.suppress(Exception), stream:
        for raw in iter(stream.readline, b""):
            log.info("[%s] %s", label, raw.decode("utf-8", "replace").rstrip())
