"""A scriptable HTTP server on 127.0.0.1 (port 0): a queue of replies, a log of requests.

Each provider's wire format lives in :mod:`tests.llm_gateway.fakes.wire`; the server itself only
answers what it is told, records what it received (method, path, headers, JSON body) and can delay
a reply to provoke client timeouts.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeServer", "Recorded", "Reply"]


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    def header(self, name: str) -> str | None:
        lowered = {k.lower(): v for k, v in self.headers.items()}
        return lowered.get(name.lower())


class FakeServer:
    """``with FakeServer() as srv: srv.push(Reply(...)); … srv.requests``.

    Unscripted requests get ``default(recorded)`` if given, else a 500 saying the queue is empty.
    """

    def __init__(self, default: Callable[[Recorded], Reply] | None = None) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self.default = default
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def push(self, *replies: Reply) -> FakeServer:
        with self._lock:
            self.replies.extend(replies)
        return self

    def reset(self) -> None:
        with self._lock:
            self.replies.clear()
            self.requests.clear()

    def _next(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            if self.replies:
                return self.replies.popleft()
        if self.default is not None:
            return self.default(recorded)
        return Reply(500, {"error": {"message": "fake server: no scripted reply"}})

    def start(self) -> FakeServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                reply = server._next(Recorded(self.command, self.path, dict(self.headers), body))
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                data = b"" if reply.body is None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            do_POST = do_GET = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
