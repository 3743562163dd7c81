"""Names never collide across environments, and IAM patterns never reach another environment.

Issue 12, item 8: with ``-`` allowed in environment names, agent ``x-pre`` in ``prod`` and agent ``x``
in ``pre-prod`` were both ``agent-x-pre-prod``, and pre-prod's ``agent-*-pre-prod`` covered prod's
agent. Environment names are now lowercase letters and digits (no ``-``), so a name splits into
(name, env) at its last ``-`` only. IAM wildcards follow AWS's rule: a ``*`` inside an ARN segment
matches within it (not across ``:``); only a ``*`` that ends a segment may run past a ``:``.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent_templates.spec import AGENT_NAME_PATTERN
from control_plane.agents.iam import MANAGED_DIGEST_CHARS, managed_policy_name
from control_plane.config import ENV_PATTERN, ControlPlaneConfig
from control_plane.deployment import (
    agent_role_name,
    agent_state_machine_name,
    split_env_suffix,
    tool_function_name,
    tool_function_pattern,
)
from control_plane.errors import ConfigError

agents = st.from_regex(AGENT_NAME_PATTERN, fullmatch=True)
envs = st.from_regex(ENV_PATTERN, fullmatch=True)
digests = st.text("0123456789abcdef", min_size=MANAGED_DIGEST_CHARS, max_size=MANAGED_DIGEST_CHARS)
versions = st.integers(min_value=1, max_value=10**6).map(str)


def iam_matches(pattern: str, value: str) -> bool:
    """IAM's resource wildcards: ``?`` one character, ``*`` any run within the segment — or beyond
    ``:`` when the ``*`` ends the segment (the IAM User Guide, "Using wildcards in resource ARNs")."""
    out = []
    for index, char in enumerate(pattern):
        if char == "*":
            ends_segment = index + 1 == len(pattern) or pattern[index + 1] == ":"
            out.append(".*" if ends_segment else "[^:]*")
        elif char == "?":
            out.append("[^:]")
        else:
            out.append(re.escape(char))
    return re.fullmatch("".join(out), value) is not None


@pytest.mark.parametrize("env", ["pre-prod", "team-a", "-", "Prod", "dev_1", ""])
def test_environment_names_hold_no_separator(env: str) -> None:
    with pytest.raises(ConfigError, match="no '-'"):
        ControlPlaneConfig(env=env)


def test_the_issue_example_cannot_be_built() -> None:
    assert agent_state_machine_name("x-pre", "prod") == "agent-x-pre-prod"
    assert split_env_suffix("agent-x-pre-prod") == ("agent-x-pre", "prod")
    with pytest.raises(ConfigError):
        ControlPlaneConfig(env="pre-prod")  # agent x in pre-prod is not deployable


@given(agents, envs, agents, envs)
def test_names_map_back_to_one_agent_and_environment(a1: str, e1: str, a2: str, e2: str) -> None:
    for name in (agent_state_machine_name, agent_role_name):
        assert split_env_suffix(name(a1, e1)) == (f"agent-{a1}", e1)
        if name(a1, e1) == name(a2, e2):
            assert (a1, e1) == (a2, e2)
    assert split_env_suffix(tool_function_name(a1, e1)) == (f"tool-{a1}", e1)


@given(agents, envs, agents, envs, digests, versions)
def test_iam_patterns_of_one_environment_cover_none_of_another(
    mine: str, env: str, other: str, other_env: str, digest: str, version: str
) -> None:
    """The patterns of ``infra.policies`` (boundary, regenerator, gateway) against every resource
    name of another environment — and of the same environment, which they must cover."""
    machine_pattern = agent_state_machine_name("*", env)
    policy_pattern = f"{agent_role_name('*', env)}-{'?' * MANAGED_DIGEST_CHARS}"
    tool_pattern = tool_function_pattern(env)
    for agent, agent_env in ((mine, env), (other, other_env)):
        same = agent_env == env
        machine = agent_state_machine_name(agent, agent_env)
        for resource in (machine, f"{machine}:live", f"{machine}:{version}"):
            assert iam_matches(f"{machine_pattern}:*", resource) is (same and resource != machine)
        assert iam_matches(machine_pattern, machine) is same
        assert iam_matches(f"{machine_pattern}:*", f"{machine}:run-{env}:x") is same  # an execution
        assert iam_matches(agent_role_name("*", env), agent_role_name(agent, agent_env)) is same
        assert iam_matches(policy_pattern, managed_policy_name(agent, agent_env, digest)) is same
        tool = tool_function_name(agent, agent_env)
        assert iam_matches(tool_pattern, tool) is same
        assert iam_matches(f"{tool_pattern}:1*", f"{tool}:1{version}") is same


def test_the_grant_policy_pattern_needs_the_exact_digest_length() -> None:
    """``agent-*-prod-*`` would cover dev's agent ``a-prod``: ``agent-a-prod-dev-<digest>``."""
    dev_policy = managed_policy_name("a-prod", "dev", "0123456789ab")
    assert iam_matches("agent-*-prod-*", dev_policy)
    assert not iam_matches(f"agent-*-prod-{'?' * MANAGED_DIGEST_CHARS}", dev_policy)
    with pytest.raises(ValueError):
        managed_policy_name("a", "dev", "0123-56789ab")
