"""Providers, registered by name (simonw/llm style).

Built-in providers are listed by module path and imported on first use, so that a cold start
loads only the provider (and SDK) it needs. Third parties register a class with
:func:`register_provider`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping

from llm_gateway.errors import InvalidRequest
from llm_gateway.providers.base import Provider, ProviderCall

__all__ = [
    "Provider",
    "ProviderCall",
    "ProviderRegistry",
    "provider_class",
    "provider_names",
    "register_provider",
]

_BUILTIN: dict[str, str] = {
    "anthropic": "llm_gateway.providers.anthropic:AnthropicProvider",
    "openai": "llm_gateway.providers.openai:OpenAIProvider",
    "gemini": "llm_gateway.providers.gemini:GeminiProvider",
    "bedrock": "llm_gateway.providers.bedrock:BedrockProvider",
    "offline": "llm_gateway.providers.offline:OfflineProvider",
}
_registered: dict[str, type[Provider]] = {}


def register_provider(cls: type[Provider]) -> type[Provider]:
    """Register a provider class under ``cls.name`` (usable as a decorator)."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    _registered[cls.name] = cls
    return cls


def provider_names() -> list[str]:
    return sorted({*_BUILTIN, *_registered})


def provider_class(name: str) -> type[Provider]:
    if name in _registered:
        return _registered[name]
    target = _BUILTIN.get(name)
    if target is None:
        raise InvalidRequest(f"unknown provider {name!r}; known providers: {provider_names()}")
    module_name, _, attr = target.partition(":")
    cls: type[Provider] = getattr(importlib.import_module(module_name), attr)
    return cls


class ProviderRegistry:
    """One instance per provider name, created on first use; ``instances`` pre-seeds (tests inject
    e.g. a Bedrock provider with its own boto3 client)."""

    def __init__(self, instances: Mapping[str, Provider] | None = None) -> None:
        self._instances: dict[str, Provider] = dict(instances or {})
        self._lock = threading.Lock()

    def get(self, name: str) -> Provider:
        provider = self._instances.get(name)
        if provider is None:
            with self._lock:
                provider = self._instances.get(name)
                if provider is None:
                    provider = provider_class(name)()
                    self._instances[name] = provider
        return provider
