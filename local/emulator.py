"""``LocalAws``: moto's server embedded in this process, with real Step Functions and Lambda runs.

Why in-process (``ThreadedMotoServer``) rather than a separate ``moto_server``: local mode has to
change moto's behaviour (``moto_patches``) and run Lambda code behind it (``lambda_runner``), which
is only possible where moto's models live. The server listens on 127.0.0.1 only, on a free port.

moto keeps all state in process-global backends and its Step Functions tasks call back to
``http://localhost:$MOTO_PORT``, so one emulator runs per process (a second ``start`` raises).
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import json
import logging
import os
import socket
import threading
import urllib.request
from types import TracebackType
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config

from local.errors import EmulatorAlreadyRunningError, EmulatorError, EmulatorNotRunningError

__all__ = ["DUMMY_CREDENTIALS", "MOTO_CONFIG", "LocalAws", "LocalSession"]

# What the emulator needs from moto: Step Functions executions run; Lambda uses the Docker-free
# backend (whose invoke ``moto_patches`` routes to the local runner).
MOTO_CONFIG: dict[str, Any] = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}
DUMMY_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}
_CLIENT_CONFIG = Config(
    # botocore's account-based endpoints (e.g. for DynamoDB Streams) are unknown to moto.
    account_id_endpoint_mode="disabled",
    retries={"mode": "standard", "max_attempts": 2},
)
_active_lock = threading.Lock()
_active: LocalAws | None = None


class LocalSession(boto3.Session):
    """A boto3 session whose clients and resources default to the emulator's endpoint."""

    def __init__(self, endpoint_url: str, region_name: str) -> None:
        super().__init__(region_name=region_name, **DUMMY_CREDENTIALS)
        self.endpoint_url = endpoint_url

    def client(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("endpoint_url", self.endpoint_url)
        kwargs["config"] = (
            _CLIENT_CONFIG.merge(kwargs["config"]) if kwargs.get("config") else (_CLIENT_CONFIG)
        )
        return super().client(*args, **kwargs)

    def resource(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("endpoint_url", self.endpoint_url)
        kwargs["config"] = (
            _CLIENT_CONFIG.merge(kwargs["config"]) if kwargs.get("config") else (_CLIENT_CONFIG)
        )
        return super().resource(*args, **kwargs)


class LocalAws:
    """The embedded AWS emulator: ``with LocalAws() as aws: aws.client("stepfunctions")...``."""

    account_id = "123456789012"  # moto's default account

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self._server: Any = None
        self._port: int | None = None
        self._runner: Any = None
        self._pump: Any = None
        self._saved_env: str | None = None
        self._saved_config: dict[str, Any] | None = None
        self._client_session: LocalSession | None = None
        self._client_lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, port: int | None = None) -> LocalAws:
        """Start moto on 127.0.0.1 (``port`` or a free one), patch it and configure it."""
        global _active
        from moto.server import ThreadedMotoServer

        from local import moto_patches
        from local.lambda_runner import LambdaRunner
        from local.streams import StreamPump

        with _active_lock:
            if _active is not None:
                raise EmulatorAlreadyRunningError(
                    f"an emulator already runs in this process at {_active.endpoint_url}"
                )
            if port:
                _check_port_free(port)
            # werkzeug logs every request at INFO on stderr unless its logger has a level; handler
            # output (logger "local.lambda", INFO) should reach pytest's captured logs.
            for name, level in (("werkzeug", logging.WARNING), ("local.lambda", logging.INFO)):
                if logging.getLogger(name).level == logging.NOTSET:
                    logging.getLogger(name).setLevel(level)
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=port or 0, verbose=False)
            # ThreadedMotoServer.start() waits forever if the server thread fails to bind.
            server._thread = threading.Thread(target=server._server_entry, daemon=True)
            server._thread.start()
            if not server._server_ready_event.wait(timeout=10):
                raise EmulatorError(f"moto's server did not start on 127.0.0.1:{port or 0}")
            self._server, self._port = server, server.get_host_and_port()[1]
            _active = self
        from moto.core.config import default_user_config

        self._saved_config = copy.deepcopy(dict(default_user_config))
        self._saved_env = os.environ.get("MOTO_PORT")
        try:
            # Step Functions service-integration tasks call http://localhost:$MOTO_PORT.
            os.environ["MOTO_PORT"] = str(self._port)
            self._runner = LambdaRunner(self.endpoint_url)
            self._pump = StreamPump(self._runner)
            moto_patches.apply(self._runner, self._pump)
            self._configure()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server, kill Lambda workers, and give the process back stock moto."""
        global _active
        if self._server is None:
            return
        from moto.core.config import default_user_config

        from local import moto_patches

        with contextlib.suppress(Exception):
            self._stop_executions()
            self._post("/moto-api/reset", None)
        self._server.stop()
        moto_patches.remove()
        if self._pump is not None:
            self._pump.stop()
        if self._runner is not None:
            self._runner.close()
        self._pump = self._runner = None
        if self._saved_config is not None:
            default_user_config.clear()  # type: ignore[attr-defined]
            default_user_config.update(self._saved_config)  # type: ignore[typeddict-item]
        if self._saved_env is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = self._saved_env
        self._server = self._port = self._client_session = None
        with _active_lock:
            _active = None

    def reset(self) -> None:
        """Wipe every resource (``POST /moto-api/reset``) and re-apply the configuration.

        Running executions are stopped first and Lambda workers killed, so nothing from before
        the reset keeps acting on the fresh state (module-level caches in handlers included).
        """
        self._require_running()
        self._stop_executions()
        self._runner.reset()
        self._pump.reset()
        self._post("/moto-api/reset", None)
        self._configure()

    def __enter__(self) -> LocalAws:
        return self.start() if self._server is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- access --------------------------------------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        self._require_running()
        return f"http://127.0.0.1:{self._port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def session(self) -> LocalSession:
        """A boto3 session with dummy credentials whose clients default to the emulator."""
        return LocalSession(self.endpoint_url, self.region)

    def client(self, service_name: str, **kwargs: Any) -> BaseClient:
        """A boto3 client for ``service_name`` bound to the emulator.

        Clients come from one cached session (a fresh session costs ~30 ms per client, a warm one
        ~1 ms); the lock is there because creating clients on one boto3 session is not thread-safe.
        """
        with self._client_lock:
            if self._client_session is None:
                self._client_session = self.session()
            return self._client_session.client(service_name, **kwargs)

    def environment(self) -> dict[str, str]:
        """Environment variables that point boto3 (and the AWS CLI/SDKs) at the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": DUMMY_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": DUMMY_CREDENTIALS["aws_secret_access_key"],
            "AWS_SESSION_TOKEN": DUMMY_CREDENTIALS["aws_session_token"],
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def wrap_app(self, middleware: Any) -> Any:
        """Wrap the server's WSGI app with ``middleware(app) -> app``; returns a function that unwraps.

        Local mode's CloudTrail recorder sees every request this way, whoever the client is.
        """
        self._require_running()
        inner = self._server._server
        previous = inner.app
        inner.app = middleware(previous)

        def unwrap() -> None:
            inner.app = previous

        return unwrap

    def wait_for_streams(self, timeout: float = 10.0) -> None:
        """Block until DynamoDB stream records are delivered to their mapped Lambdas."""
        self._require_running()
        if not self._pump.wait_idle(timeout):
            raise EmulatorError(f"stream delivery still busy after {timeout} s")

    # -- internals -----------------------------------------------------------------------------

    def _require_running(self) -> None:
        if self._server is None:
            raise EmulatorNotRunningError("the emulator is not running: call LocalAws.start()")

    def _configure(self) -> None:
        from moto.core.config import default_user_config

        self._post("/moto-api/config", MOTO_CONFIG)
        # The endpoint's answer omits "stepfunctions": check the process-global config it sets.
        for service, settings in MOTO_CONFIG.items():
            for key, value in settings.items():
                if default_user_config.get(service, {}).get(key) != value:  # type: ignore[attr-defined]
                    raise EmulatorError(f"moto did not accept config {service}.{key}={value}")

    def _post(self, path: str, body: Any) -> Any:
        data = json.dumps(body).encode() if body is not None else b""
        request = urllib.request.Request(
            self.endpoint_url + path,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    @staticmethod
    def _stop_executions() -> None:
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        now = datetime.datetime.now(tz=datetime.UTC)
        for account_backends in list(stepfunctions_parser_backends.values()):
            for backend in list(account_backends.values()):
                for machine in list(backend.state_machines):
                    for execution in list(machine.executions):
                        if getattr(execution, "status", None) == "RUNNING":
                            with contextlib.suppress(Exception):
                                execution.stop(now, "local.Reset", "the emulator was reset")


def _check_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise EmulatorError(f"cannot listen on 127.0.0.1:{port}: {exc}") from exc
