"""pytest fixtures for the local emulator (loaded by ``tests/conftest.py``).

* ``local_aws_server`` (session): one ``LocalAws`` for the whole run — moto's import and start cost
  about a second, so it starts once, lazily, only if a test asks for it.
* ``aws`` (function): that emulator, reset to empty for this test, with the test's environment
  pointing boto3 at it (``AWS_ENDPOINT_URL``, dummy credentials, region) so code under test that
  builds its own clients reaches the emulator. A guard fails any AWS request this process sends
  to a host other than 127.0.0.1/localhost.
* ``make_function`` (function): ``local.testing.create_function`` bound to ``aws``.

Example::

    def test_invoke(aws, make_function):
        make_function("echo", {"app.py": "def handler(e, c):\\n    return e\\n"}, "app.handler")
        out = aws.client("lambda").invoke(FunctionName="echo", Payload=b"{}")
        assert out["Payload"].read() == b"{}"
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from local.emulator import LocalAws
from local.testing import create_function

__all__ = ["aws", "local_aws_server", "make_function"]

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Variables that could route boto3 to a real account or a real endpoint.
_REAL_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@pytest.fixture(scope="session")
def local_aws_server() -> Iterator[LocalAws]:
    """The process's emulator, started on first use and stopped at the end of the session."""
    emulator = LocalAws().start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def aws(local_aws_server: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    """The emulator, empty, with this test's AWS environment pointing at it."""
    local_aws_server.reset()
    for name in _REAL_AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL_")]:
        monkeypatch.delenv(name)  # service-specific endpoints would bypass AWS_ENDPOINT_URL
    for name, value in local_aws_server.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    _guard_network(monkeypatch)
    yield local_aws_server


@pytest.fixture
def make_function(aws: LocalAws) -> Callable[..., dict[str, Any]]:
    """``create_function`` with ``aws`` bound: ``make_function(name, files, handler, runtime, ...)``."""
    return functools.partial(create_function, aws)


@pytest.fixture
def local_control_plane(aws: LocalAws) -> Iterator[Any]:
    """The platform deployed on the emulator with its CloudTrail and stream pumps running.

    No provider key reaches it (the gateway falls back to nothing: use ``offline:`` models).
    """
    from local.controlplane import LocalControlPlane

    # A one-second grace window: held releases are decided quickly (settle() waits for them).
    plane = LocalControlPlane(aws, environ={"SFA_RELEASE_GRACE_SECONDS": "1"})
    plane.start()
    try:
        yield plane
    finally:
        plane.stop()


def _guard_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if botocore in this process sends a request anywhere but the emulator."""
    from botocore.httpsession import URLLib3Session

    original = URLLib3Session.send

    def send(self: URLLib3Session, request: Any) -> Any:
        host = urlsplit(request.url).hostname or ""
        if host not in _LOCAL_HOSTS:
            raise RuntimeError(
                f"test tried to reach {request.url!r}: AWS calls must go to the local emulator "
                "(create clients without a hard-coded endpoint_url or region-specific host)"
            )
        return original(self, request)

    monkeypatch.setattr(URLLib3Session, "send", send)
