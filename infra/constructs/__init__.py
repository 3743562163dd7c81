"""L3 constructs for users' CDK apps: tools, agents and registry subscriptions."""

from infra.constructs.agent import Agent
from infra.constructs.subscription import RegistrySubscription
from infra.constructs.tool_function import DEFAULT_TOOL_TIMEOUT, ToolFunction

__all__ = ["DEFAULT_TOOL_TIMEOUT", "Agent", "RegistrySubscription", "ToolFunction"]
