"""Retries with exponential backoff and full jitter, honouring the provider's retry-after hint."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from llm_gateway.config import RetryPolicy
from llm_gateway.errors import GatewayError

__all__ = ["call_with_retries", "retry_delay"]

T = TypeVar("T")
OnRetry = Callable[[GatewayError, int, float], None]


def retry_delay(error: GatewayError, attempt: int, policy: RetryPolicy, rng: random.Random) -> float | None:
    """Seconds to wait before attempt ``attempt + 1``, or None when retrying makes no sense."""
    if not error.retryable or attempt >= policy.max_attempts:
        return None
    if error.retry_after is not None:
        if error.retry_after > policy.max_retry_after_s:
            return None
        return max(0.0, error.retry_after)
    ceiling = min(policy.max_delay_s, policy.base_delay_s * (2 ** (attempt - 1)))
    return rng.uniform(0.0, ceiling)


def call_with_retries(
    fn: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    deadline: float | None = None,
    on_retry: OnRetry | None = None,
) -> T:
    """Call ``fn`` until it succeeds, raises a non-retryable error, or the attempts (or the
    ``time.monotonic()`` ``deadline``) run out; the last error is raised unchanged."""
    rng = rng or random.Random()
    attempt = 1
    while True:
        try:
            return fn()
        except GatewayError as exc:
            delay = retry_delay(exc, attempt, policy, rng)
            if delay is None or (deadline is not None and time.monotonic() + delay >= deadline):
                raise
            if on_retry is not None:
                on_retry(exc, attempt, delay)
            sleep(delay)
            attempt += 1
