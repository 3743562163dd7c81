"""infra: the CDK app of sfn-agents and the constructs users build on it.

Users' apps::

    from infra import Agent, RegistrySubscription, ToolFunction

The platform's own stacks: :class:`SharedInfraStack` (``sfa-shared-{env}``) and
:class:`SharedLlmStack` (``sfa-llm-{env}``), assembled by :func:`infra.app.build_app`
(``sfa synth`` / ``make synth``). Exports load lazily: ``python -m infra.packaging.lock`` and
``sfa --help`` do not start CDK's Node.js runtime. No runtime Lambda code imports this package
(docs/design.md §10).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "DEFAULT_TOOL_TIMEOUT",
    "REGISTRY_EVENT_TYPES",
    "Agent",
    "RegistrySubscription",
    "SharedInfraProps",
    "SharedInfraStack",
    "SharedLlmProps",
    "SharedLlmStack",
    "ToolFunction",
]

_EXPORTS = {
    "DEFAULT_TOOL_TIMEOUT": "infra.constructs",
    "Agent": "infra.constructs",
    "RegistrySubscription": "infra.constructs",
    "ToolFunction": "infra.constructs",
    "REGISTRY_EVENT_TYPES": "infra.contracts",
    "SharedLlmProps": "infra.stacks.llm",
    "SharedLlmStack": "infra.stacks.llm",
    "SharedInfraProps": "infra.stacks.shared",
    "SharedInfraStack": "infra.stacks.shared",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'infra' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
