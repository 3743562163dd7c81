"""Gateway configuration: model aliases, endpoints, timeouts and retry policy.

Everything can be passed in explicitly (tests, local mode) or read from the environment with
:meth:`GatewayConfig.from_env`:

==============================  ========================================================================
``SFA_ENV``                     deployment environment (default ``dev``); selects the key secret
``SFA_LLM_SECRET_NAME``         override the secret name (default ``/ai-agent/llm-secrets/{env}``)
``SFA_LLM_ALIASES``             JSON object of aliases, e.g. ``{"fast": "anthropic:claude-haiku-4-5"}``
``SFA_LLM_TIMEOUT_S``           per-request timeout in seconds (default 60)
``SFA_LLM_MAX_ATTEMPTS``        attempts per model, first try included (default 3)
``SFA_LLM_BACKOFF_BASE_S``      first backoff ceiling in seconds (default 0.5; doubles per retry)
``SFA_LLM_BACKOFF_MAX_S``       backoff ceiling in seconds (default 8)
``SFA_ANTHROPIC_BASE_URL``      Anthropic endpoint (tests, proxies)
``SFA_OPENAI_BASE_URL``         OpenAI or any OpenAI-compatible endpoint (``…/v1``)
``SFA_GEMINI_BASE_URL``         Gemini endpoint
``SFA_BEDROCK_ENDPOINT_URL``    boto3 ``endpoint_url`` of ``bedrock-runtime``
``SFA_BEDROCK_REGION``          region of ``bedrock-runtime`` (default: the boto3 default region)
==============================  ========================================================================
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from llm_gateway.errors import InvalidRequest

__all__ = ["DEFAULT_ALIASES", "GatewayConfig", "RetryPolicy", "split_model"]

DEFAULT_ALIASES: dict[str, str] = {"offline": "offline:default"}
_BASE_URL_VARS = {
    "anthropic": "SFA_ANTHROPIC_BASE_URL",
    "openai": "SFA_OPENAI_BASE_URL",
    "gemini": "SFA_GEMINI_BASE_URL",
    "bedrock": "SFA_BEDROCK_ENDPOINT_URL",
}


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: retry ``n`` sleeps ``uniform(0, min(max, base*2**n))``.

    A provider's retry-after hint replaces the jittered delay when present; a hint longer than
    ``max_retry_after_s`` ends the retries (the next fallback is tried instead of waiting).
    """

    max_attempts: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    max_retry_after_s: float = 30.0


@dataclass(frozen=True)
class GatewayConfig:
    env: str = "dev"
    secret_name: str | None = None
    aliases: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ALIASES))
    timeout_s: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    base_urls: Mapping[str, str] = field(default_factory=dict)
    bedrock_region: str | None = None

    @property
    def llm_secret_name(self) -> str:
        return self.secret_name or f"/ai-agent/llm-secrets/{self.env}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GatewayConfig:
        env = os.environ if environ is None else environ
        aliases = dict(DEFAULT_ALIASES)
        raw = env.get("SFA_LLM_ALIASES")
        if raw:
            try:
                parsed = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValueError(f"SFA_LLM_ALIASES is not valid JSON: {exc}") from None
            if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
                raise ValueError("SFA_LLM_ALIASES must be a JSON object of alias -> 'provider:model'")
            aliases.update(parsed)
        retry = RetryPolicy(
            max_attempts=int(env.get("SFA_LLM_MAX_ATTEMPTS", RetryPolicy.max_attempts)),
            base_delay_s=float(env.get("SFA_LLM_BACKOFF_BASE_S", RetryPolicy.base_delay_s)),
            max_delay_s=float(env.get("SFA_LLM_BACKOFF_MAX_S", RetryPolicy.max_delay_s)),
        )
        return cls(
            env=env.get("SFA_ENV", "dev"),
            secret_name=env.get("SFA_LLM_SECRET_NAME") or None,
            aliases=aliases,
            timeout_s=float(env.get("SFA_LLM_TIMEOUT_S", 60.0)),
            retry=retry,
            base_urls={p: env[v] for p, v in _BASE_URL_VARS.items() if env.get(v)},
            bedrock_region=env.get("SFA_BEDROCK_REGION") or None,
        )

    def resolve(self, model: str) -> tuple[str, str]:
        """``provider:model`` or an alias (aliases may point to aliases) → ``(provider, model_id)``."""
        seen: list[str] = []
        name = model
        while name in self.aliases:
            if name in seen:
                chain = " -> ".join([*seen, name])
                raise InvalidRequest(f"model alias cycle: {chain}")
            seen.append(name)
            name = self.aliases[name]
        return split_model(name, original=model)


def split_model(name: str, *, original: str | None = None) -> tuple[str, str]:
    provider, sep, model_id = name.partition(":")  # Bedrock ids contain ':' too: split once
    if not sep or not provider or not model_id:
        raise InvalidRequest(
            f"model {original or name!r} is neither 'provider:model' nor a configured alias "
            "(aliases come from SFA_LLM_ALIASES or the gateway configuration)"
        )
    return provider, model_id
