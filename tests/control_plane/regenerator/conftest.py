"""Fixtures of the regenerator tests (on top of ``tests/control_plane/conftest.py``: ``cp``, ``config``,
``registry``, ``registrar``, ``tools``, ``publisher``)."""

from __future__ import annotations

from typing import Any

import pytest

from control_plane.agents import AgentRegistry
from control_plane.config import ControlPlaneConfig
from control_plane.regenerator import Regenerator, RegeneratorConfig
from control_plane.regenerator.counting import CallCounter
from control_plane.registry import ToolRegistry
from tests.control_plane.regenerator.helpers import ACCOUNT, FAST_OPTIONS, REGION, StreamTap, create_boundary


@pytest.fixture
def rconfig(config: ControlPlaneConfig) -> RegeneratorConfig:
    return RegeneratorConfig.build(config, region=REGION, account_id=ACCOUNT, render_options=FAST_OPTIONS)


@pytest.fixture
def boundary(cp: Any, config: ControlPlaneConfig) -> str:
    return create_boundary(cp, config.env, config.bus_name)


@pytest.fixture
def counter() -> CallCounter:
    return CallCounter()


@pytest.fixture
def agents(cp: Any, config: ControlPlaneConfig) -> AgentRegistry:
    return AgentRegistry(config.agent_table, cp.client("dynamodb"))


@pytest.fixture
def regen(
    cp: Any, rconfig: RegeneratorConfig, counter: CallCounter, publisher: Any, boundary: str
) -> Regenerator:
    """A regenerator whose every AWS call goes through ``counter``."""
    ddb = counter.wrap("dynamodb", cp.client("dynamodb"))
    return Regenerator(
        rconfig,
        agents=AgentRegistry(rconfig.base.agent_table, ddb),
        tools=ToolRegistry(rconfig.base.tool_table, ddb),
        sfn=counter.wrap("stepfunctions", cp.client("stepfunctions")),
        iam=counter.wrap("iam", cp.client("iam")),
        publisher=publisher,
        sleep=lambda _s: None,
    )


@pytest.fixture
def tool_tap(cp: Any, config: ControlPlaneConfig) -> StreamTap:
    return StreamTap(cp, config.tool_table)


@pytest.fixture
def agent_tap(cp: Any, config: ControlPlaneConfig) -> StreamTap:
    return StreamTap(cp, config.agent_table)
