"""Fixtures of the control-plane tests, on the local emulator (the ``aws`` fixture of ``local``)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from control_plane.config import ANY_FUNCTION, ControlPlaneConfig
from control_plane.registrar.sync import Registrar
from control_plane.registry.store import ToolRegistry
from control_plane.registry.table import create_tables
from tests.control_plane.helpers import RecordingPublisher

ENV = "test"
_counter = itertools.count()


class FakeContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name = "sfa-registrar-test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:sfa-registrar-test"
    aws_request_id = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def config() -> ControlPlaneConfig:
    # No grace window: held changes are decided at once (tests of the window set their own). Test
    # functions are named freely ("fn-1"): the registrar's scope is opted out of (test_registrar_scope).
    return ControlPlaneConfig(env=ENV, release_grace_seconds=0, allowed_prefixes=(ANY_FUNCTION,))


@pytest.fixture
def cp(aws: Any, config: ControlPlaneConfig) -> Any:
    """The emulator with both registry tables created."""
    create_tables(aws.client("dynamodb"), config.env)
    return aws


@pytest.fixture
def registry(cp: Any, config: ControlPlaneConfig) -> ToolRegistry:
    return ToolRegistry(config.tool_table, cp.client("dynamodb"))


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def registrar(
    cp: Any, config: ControlPlaneConfig, registry: ToolRegistry, publisher: RecordingPublisher
) -> Registrar:
    return Registrar(config, registry=registry, lambda_client=cp.client("lambda"), publisher=publisher)


@pytest.fixture
def unique() -> Any:
    """A name factory: ``unique("fn")`` → ``fn-<n>`` distinct across the whole test session."""
    return lambda prefix: f"{prefix}-{next(_counter)}"


@pytest.fixture
def context() -> FakeContext:
    return FakeContext()


class Tools:
    """Deploy/update/retag/untag/delete tool functions with plain boto3 calls, like a deploy tool."""

    def __init__(self, aws: Any) -> None:
        from local.testing import ensure_lambda_role

        self.aws = aws
        self.lambda_ = aws.client("lambda")
        self.role = ensure_lambda_role(aws)

    def create(self, function_name: str, m: Any, build: str = "a", **kwargs: Any) -> dict[str, Any]:
        from local.testing import build_zip
        from tests.control_plane.helpers import python_code, tags_for

        return self.lambda_.create_function(
            FunctionName=function_name,
            Runtime="python3.12",
            Role=self.role,
            Handler="app.handler",
            Code={"ZipFile": build_zip(python_code(build))},
            Tags=tags_for(m) if m is not None else {},
            **kwargs,
        )

    def update_code(self, function_name: str, build: str) -> dict[str, Any]:
        from local.testing import build_zip
        from tests.control_plane.helpers import python_code

        return self.lambda_.update_function_code(
            FunctionName=function_name, ZipFile=build_zip(python_code(build))
        )

    def code_sha256(self, function_name: str) -> str:
        """The CodeSha256 of ``$LATEST`` (what the function would run unqualified)."""
        return self.lambda_.get_function(FunctionName=function_name)["Configuration"]["CodeSha256"]

    def retag(self, function_name: str, m: Any) -> None:
        from tests.control_plane.helpers import retag, tags_for

        retag(self.lambda_, self.arn(function_name), tags_for(m))

    def untag(self, function_name: str) -> None:
        from tests.control_plane.helpers import untag_manifest

        untag_manifest(self.lambda_, self.arn(function_name))

    def delete(self, function_name: str) -> None:
        self.lambda_.delete_function(FunctionName=function_name)

    def arn(self, function_name: str) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"


@pytest.fixture
def tools(cp: Any) -> Tools:
    return Tools(cp)
