"""The registrar registers only its environment's scope (issue 12, item 8).

Default scope: ``tool-<id>-{env}``. A function outside it (another environment's tool, any other
name) is reported with ``ToolRejected`` ``function_not_allowed`` stating the scope, and nothing is
written: a dev function can no longer claim a prod tool name. An explicit allow-list of prefixes or
the ``*`` opt-in (local mode) widen it. Through ``Registrar.sync`` and the Lambda handler on the
emulator; the fixture ``config`` of the other tests opts in to ``*``, these build their own.
"""

from __future__ import annotations

from typing import Any

import pytest

from control_plane.config import ANY_FUNCTION, ControlPlaneConfig
from control_plane.errors import ConfigError
from control_plane.registrar.handler import handle
from control_plane.registrar.sync import Registrar
from control_plane.registrar.trigger import cloudtrail_event
from control_plane.registry.store import ToolRegistry
from control_plane.registry.table import create_tables
from tests.control_plane.helpers import RecordingPublisher, manifest

PROD = "prod"


@pytest.fixture
def prod(aws: Any) -> Any:
    create_tables(aws.client("dynamodb"), PROD)
    return aws


def registrar_for(aws: Any, config: ControlPlaneConfig, publisher: RecordingPublisher) -> Registrar:
    registry = ToolRegistry(config.tool_table, aws.client("dynamodb"))
    return Registrar(config, registry=registry, lambda_client=aws.client("lambda"), publisher=publisher)


def rejection(publisher: RecordingPublisher) -> Any:
    [event] = publisher.of("ToolRejected")
    [reason] = event.reasons
    return reason


def test_default_scope_is_this_environments_tool_functions(prod: Any, tools: Any) -> None:
    publisher = RecordingPublisher()
    config = ControlPlaneConfig.from_env({"SFA_ENV": PROD})  # what the CDK app deploys: no allow-list
    registrar = registrar_for(prod, config, publisher)
    tools.create("tool-convert-prod", manifest("convert_units", "1.0.0"))
    tools.create("tool-convert-dev", manifest("convert_units", "2.0.0"))  # dev's function, same name

    assert registrar.sync("tool-convert-prod").outcome == "registered"
    publisher.clear()
    result = registrar.sync("tool-convert-dev")

    assert result.outcome == "rejected" and result.writes == 0
    reason = rejection(publisher)
    assert reason.code == "function_not_allowed"
    assert "tool-*-prod" in reason.message and "tool-convert-dev" in reason.message
    registry = ToolRegistry(config.tool_table, prod.client("dynamodb"))
    versions = [i["version"] for i in registry.partition("convert_units") if i["version"][0].isdigit()]
    assert versions == ["1.0.0"], "the dev function claimed nothing in prod"


@pytest.mark.parametrize(
    "function_name",
    ["anything-shout", "tool-prod", "tool--prod", "tool-x-preprod", "tool-x-prod-dev", "team-a-x-prod"],
)
def test_names_outside_the_default_scope_are_reported(prod: Any, tools: Any, function_name: str) -> None:
    publisher = RecordingPublisher()
    registrar = registrar_for(prod, ControlPlaneConfig(env=PROD), publisher)
    tools.create(function_name, manifest("shout", "1.0.0"))

    assert registrar.sync(function_name).outcome == "rejected"
    assert rejection(publisher).code == "function_not_allowed"


def test_the_handler_reports_an_out_of_scope_claim_from_cloudtrail(prod: Any, tools: Any) -> None:
    publisher = RecordingPublisher()
    registrar = registrar_for(prod, ControlPlaneConfig(env=PROD), publisher)
    created = tools.create("tool-slug-dev", manifest("slug", "1.0.0"))

    summary = handle(cloudtrail_event("CreateFunction", created["FunctionArn"]), registrar)

    assert summary["outcome"] == "rejected" and summary["reasons"] == ["function_not_allowed:"]
    assert "registers functions named tool-*-prod" in rejection(publisher).message


def test_an_explicit_allow_list_replaces_the_default_scope(prod: Any, tools: Any) -> None:
    publisher = RecordingPublisher()
    config = ControlPlaneConfig.from_env({"SFA_ENV": PROD, "SFA_REGISTRAR_ALLOWED_PREFIXES": "team-a-prod-"})
    registrar = registrar_for(prod, config, publisher)
    tools.create("team-a-prod-search", manifest("search", "1.0.0"))
    tools.create("tool-other-prod", manifest("other", "1.0.0"))

    assert registrar.sync("team-a-prod-search").outcome == "registered"
    assert registrar.sync("tool-other-prod").outcome == "rejected"
    assert "team-a-prod-*" in rejection(publisher).message


def test_any_function_is_an_explicit_opt_in(prod: Any, tools: Any) -> None:
    publisher = RecordingPublisher()
    config = ControlPlaneConfig.from_env({"SFA_ENV": PROD, "SFA_REGISTRAR_ALLOWED_PREFIXES": "*"})
    registrar = registrar_for(prod, config, publisher)
    tools.create("anything-shout", manifest("shout", "1.0.0"))

    assert config.allowed_prefixes == (ANY_FUNCTION,)
    assert registrar.sync("anything-shout").outcome == "registered"


def test_scope_settings_are_validated() -> None:
    assert ControlPlaneConfig.from_env({}).allowed_prefixes == ()
    assert ControlPlaneConfig(env="dev").function_allowed("tool-x-dev")
    assert not ControlPlaneConfig(env="dev").function_allowed("tool-x-prod")
    with pytest.raises(ConfigError, match="cannot be combined"):
        ControlPlaneConfig.from_env({"SFA_REGISTRAR_ALLOWED_PREFIXES": "*,tool-"})
