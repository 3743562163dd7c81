"""Pure units: number storage, config, latest selection, the error seam, transitions."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from control_plane.aws import translate_client_error
from control_plane.config import ControlPlaneConfig
from control_plane.errors import (
    AwsResourceNotFoundError,
    AwsThrottledError,
    ConditionFailedError,
    ConfigError,
    ControlPlaneError,
)
from control_plane.registrar.plan import highest_active
from control_plane.registry.codec import from_attribute_map, storability_problems, to_attribute_map
from tool_sdk.errors import SfaError


def test_json_values_round_trip_as_native_types():
    item = {"schema": {"minimum": 0.5, "maximum": 10, "enum": [1, 2.25, "x", None, True]}, "tags": ["a"]}
    stored = to_attribute_map(item)
    assert stored["schema"]["M"]["minimum"] == {"N": "0.5"} and "L" in stored["tags"]
    assert from_attribute_map(stored) == item


def test_storability_reports_unstorable_numbers_by_path():
    problems = storability_problems(
        {"a": {"b": [1e200, 0.1]}, "c": 10**40 + 1, "d": float("inf"), "e": 1e-140}
    )
    assert sorted(p.path for p in problems) == ["a.b.0", "c", "d", "e"]
    assert storability_problems({"ok": [1.5, -3, 10**37, 1e125]}) == []


def test_config_from_env_defaults_and_overrides():
    c = ControlPlaneConfig.from_env({})
    assert (c.env, c.tool_table, c.agent_table, c.bus_name) == (
        "dev",
        "ToolRegistry-dev",
        "AgentRegistry-dev",
        "sfa-registry-dev",
    )
    c = ControlPlaneConfig.from_env(
        {
            "SFA_ENV": "prod",
            "SFA_TOOL_REGISTRY_TABLE": "T",
            "SFA_REGISTRAR_ALLOWED_PREFIXES": "tool-, team-a-,",
        }
    )
    assert (c.tool_table, c.bus_name, c.allowed_prefixes) == ("T", "sfa-registry-prod", ("tool-", "team-a-"))
    assert c.function_allowed("team-a-x") and not c.function_allowed("rogue")
    with pytest.raises(ConfigError):
        ControlPlaneConfig(env="Bad Env")


def test_latest_is_the_highest_active_release_then_prerelease():
    def v(version: str, status: str = "active") -> dict:
        return {"version": version, "status": status}

    assert highest_active([v("1.0.0"), v("1.10.0"), v("1.9.0")])["version"] == "1.10.0"
    assert highest_active([v("1.0.0"), v("2.0.0-rc.1")])["version"] == "1.0.0"
    assert highest_active([v("2.0.0-rc.1"), v("2.0.0-rc.2")])["version"] == "2.0.0-rc.2"
    assert highest_active([v("3.0.0", "deprecated"), v("1.0.0")])["version"] == "1.0.0"
    assert highest_active([v("3.0.0", "disabled")]) is None


def _client_error(code: str, status: int = 400, **extra: object) -> ClientError:
    response = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError({**response, **extra}, "Op")  # type: ignore[arg-type]


def test_client_errors_map_to_typed_errors_at_one_seam():
    assert isinstance(
        translate_client_error(_client_error("ResourceNotFoundException")), AwsResourceNotFoundError
    )
    throttled = translate_client_error(_client_error("ThrottlingException"))
    assert isinstance(throttled, AwsThrottledError) and throttled.retryable
    cancelled = translate_client_error(
        _client_error(
            "TransactionCanceledException",
            CancellationReasons=[{"Code": "None"}, {"Code": "ConditionalCheckFailed"}],
        )
    )
    assert isinstance(cancelled, ConditionFailedError) and cancelled.reasons == (
        "None",
        "ConditionalCheckFailed",
    )
    server = translate_client_error(_client_error("InternalServerError", 500))
    assert server.retryable and isinstance(server, ControlPlaneError) and isinstance(server, SfaError)
