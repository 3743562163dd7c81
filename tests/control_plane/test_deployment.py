"""The handler entry points that infra and local mode deploy resolve to real callables."""

from __future__ import annotations

import importlib

import pytest

from control_plane import deployment


@pytest.mark.parametrize(
    "entry",
    [
        deployment.REGISTRAR_HANDLER,
        deployment.REGENERATOR_HANDLER,
        deployment.RECONCILER_HANDLER,
        deployment.GATEWAY_HANDLER,
    ],
)
def test_handler_entry_points_exist(entry):
    module, _, function = entry.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function))


def test_names_follow_design_section_8():
    assert deployment.agent_state_machine_name("trip-planner", "dev") == "agent-trip-planner-dev"
    assert deployment.tool_function_name("convert_units", "prod") == "tool-convert_units-prod"
    assert deployment.llm_secret_name("dev") == "/ai-agent/llm-secrets/dev"
    assert deployment.tool_secret_name("t", "dev") == "/ai-agent/tools/t/dev"
    assert deployment.infrastructure_secret_name("dev") == "/ai-agent/infrastructure/dev"
