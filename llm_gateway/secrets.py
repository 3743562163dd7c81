"""Provider API keys: environment variables first (local use), then the Secrets Manager secret
``/ai-agent/llm-secrets/{env}`` (a JSON object with the same names), read through Powertools
parameters with caching. Keys never reach logs, errors or responses: :func:`redact` scrubs text that
leaves the gateway.

A failed read is classified (:func:`llm_gateway.aws.aws_error`): throttling, 5xx answers, timeouts
and connection failures are retryable (``RateLimited``/``ProviderUnavailable``/``ProviderTimeout``,
retried by the gateway and the template); a secret that does not exist, access denied or a value
that is not a JSON object is ``AuthenticationFailed`` with a message saying where the key goes.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from llm_gateway.errors import AuthenticationFailed, GatewayError

__all__ = ["KEY_NAMES", "KeyStore", "redact"]

# Provider → accepted key names, preferred first. Same names in the environment and in the secret.
KEY_NAMES: dict[str, tuple[str, ...]] = {
    "anthropic": ("ANTHROPIC_API_KEY",),
    "openai": ("OPENAI_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
}

_KEY_SHAPES = re.compile(
    r"\bsk-[A-Za-z0-9_\-]{6,}|\bAIza[0-9A-Za-z_\-]{10,}|(?i:\bbearer\s+)[A-Za-z0-9._\-]{6,}"
)
_known_values: set[str] = set()
_lock = threading.Lock()


def redact(text: str, extra: tuple[str, ...] = ()) -> str:
    """Replace every key this process has handed out (and anything shaped like a key) by ``[REDACTED]``."""
    for value in sorted({*_known_values, *extra}, key=len, reverse=True):
        if value:
            text = text.replace(value, "[REDACTED]")
    return _KEY_SHAPES.sub("[REDACTED]", text)


SecretFetcher = Callable[[str], Mapping[str, Any]]


class KeyStore:
    """Resolves provider keys. ``fetch`` (secret name → dict) replaces the Powertools read in tests;
    ``client`` is an injected ``secretsmanager`` boto3 client (created lazily by Powertools if None)."""

    def __init__(
        self,
        secret_name: str,
        *,
        environ: Mapping[str, str] | None = None,
        fetch: SecretFetcher | None = None,
        client: Any = None,
        max_age_s: int = 300,
    ) -> None:
        self.secret_name = secret_name
        self._environ = environ
        self._fetch = fetch
        self._client = client
        self._max_age_s = max_age_s
        self._provider: Any = None

    def get(self, provider: str) -> str:
        names = KEY_NAMES.get(provider)
        if not names:
            raise AuthenticationFailed(f"no key names are known for provider {provider!r}")
        env = os.environ if self._environ is None else self._environ
        for name in names:
            if env.get(name):
                return _remember(env[name])
        secret, problem = self._read_secret(provider)
        for name in names:
            value = secret.get(name)
            if isinstance(value, str) and value:
                return _remember(value)
        alternatives = " or ".join(names)
        raise AuthenticationFailed(
            f"no API key for provider {provider!r}: set {alternatives} in the environment (local "
            f"use), or add a {names[0]!r} entry to the JSON secret {self.secret_name!r} in AWS "
            f"Secrets Manager{problem}",
            provider=provider,
        )

    def _read_secret(self, provider: str) -> tuple[Mapping[str, Any], str]:
        try:
            data = (self._fetch or self._powertools_fetch)(self.secret_name)
        except Exception as exc:  # the reason names the failure, never a value
            from llm_gateway.aws import aws_error, botocore_error, error_code

            mapped = aws_error(exc, service="secretsmanager")
            if isinstance(mapped, GatewayError) and mapped.retryable:
                mapped.message = f"reading the secret {self.secret_name!r} failed: {mapped.message}"
                mapped.provider = provider
                raise mapped from None
            cause = botocore_error(exc)
            code = error_code(cause) if cause is not None else ""
            return {}, f" (reading the secret failed: {code or type(cause or exc).__name__})"
        if not isinstance(data, Mapping):
            return {}, " (the secret is not a JSON object)"
        return data, ""

    def _powertools_fetch(self, name: str) -> Mapping[str, Any]:
        from aws_lambda_powertools.utilities import parameters

        if self._client is None:  # Powertools' default provider (its own lazily created client)
            return parameters.get_secret(name, transform="json", max_age=self._max_age_s)  # type: ignore[return-value]
        if self._provider is None:  # one provider per store: its cache lives with it
            self._provider = parameters.SecretsProvider(boto3_client=self._client)
        return self._provider.get(name, transform="json", max_age=self._max_age_s)  # type: ignore[return-value]


def _remember(value: str) -> str:
    with _lock:
        _known_values.add(value)
    return value
