"""Environments stay apart in the synthesized templates (issue 12, items 8 and 17).

* environment names hold no ``-`` (names end in ``-{env}`` and must split one way only);
* the registrar's scope defaults to ``tool-*-{env}`` in the CDK app (``SFA_REGISTRAR_ALLOWED_PREFIXES``
  unset), and it may publish versions of those functions only;
* every service role the platform creates trusts its service for this account only
  (``aws:SourceAccount``): the control-plane functions, the gateway, the agent-spec provider and the
  ``ToolFunction`` construct's roles.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.contracts import CONTROL_PLANE_ENV, check_env
from infra.stacks.control_iam import registrar_scope_patterns
from tests.infra.conftest import Synth
from tests.infra.helpers import by_name, resources

# CDK's LambdaDeploymentGroup creates this role (ci only: deployment_config); CodeDeploy documents no
# source condition for its service role, so it is left as CDK makes it.
_UNCONDITIONED_SERVICES = {"codedeploy.amazonaws.com"}


def variables(template: dict[str, Any], function_name: str) -> dict[str, Any]:
    _, fn = by_name(template, "AWS::Lambda::Function", function_name)
    return fn["Properties"]["Environment"]["Variables"]


@pytest.mark.parametrize("env", ["pre-prod", "team-a", "Prod", "dev_1", ""])
def test_environment_names_with_a_separator_fail_the_synth(env: str) -> None:
    with pytest.raises(ValueError, match="must match"):
        check_env(env)


def test_the_registrar_scope_defaults_to_the_environments_tool_functions(platform: Synth) -> None:
    dev, ci = platform.templates["sfa-shared-dev"], platform.templates["sfa-shared-ci"]
    for fn in ("sfa-registrar-{env}", "sfa-reconciler-{env}"):
        assert variables(dev, fn.format(env="dev"))[CONTROL_PLANE_ENV.ALLOWED_PREFIXES] == ""
        assert variables(ci, fn.format(env="ci"))[CONTROL_PLANE_ENV.ALLOWED_PREFIXES] == "tool-,team-a-"
    assert registrar_scope_patterns("dev", ()) == ["tool-*-dev"]
    assert registrar_scope_patterns("dev", ("*",)) == ["*"]  # the explicit opt-in: any function
    with pytest.raises(ValueError, match="cannot be combined"):
        registrar_scope_patterns("dev", ("*", "tool-"))


def _service_trust(templates: dict[str, dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for stack, template in templates.items():
        for logical_id, role in resources(template, "AWS::IAM::Role").items():
            for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
                service = (statement.get("Principal") or {}).get("Service")
                if service:
                    out.append((f"{stack}/{logical_id}", service, statement.get("Condition") or {}))
    return out


def test_every_service_role_trusts_its_service_for_this_account_only(platform: Synth, example: Synth) -> None:
    trusts = _service_trust({**platform.templates, **example.templates})
    checked = [t for t in trusts if t[1] not in _UNCONDITIONED_SERVICES]
    assert len(checked) >= 15  # 6 per platform environment (control plane, provider, gateway), 3 tools
    this_account = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    for role, service, condition in checked:
        assert condition == this_account, (role, service)
