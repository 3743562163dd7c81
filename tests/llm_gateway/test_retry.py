"""Backoff with full jitter, retry-after, attempt limits."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llm_gateway.config import RetryPolicy
from llm_gateway.errors import InvalidRequest, ProviderUnavailable, RateLimited
from llm_gateway.retry import call_with_retries, retry_delay


@given(
    attempt=st.integers(1, 10),
    base=st.floats(0.001, 2),
    cap=st.floats(0.001, 30),
    seed=st.integers(0, 2**32),
)
def test_jittered_delay_stays_under_the_exponential_ceiling(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    policy = RetryPolicy(max_attempts=11, base_delay_s=base, max_delay_s=cap)
    delay = retry_delay(ProviderUnavailable("x"), attempt, policy, random.Random(seed))
    assert delay is not None and 0 <= delay <= min(cap, base * 2 ** (attempt - 1))


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(max_retry_after_s=10)
    rng = random.Random(1)
    assert retry_delay(RateLimited("x", retry_after=2.5), 1, policy, rng) == 2.5
    assert retry_delay(RateLimited("x", retry_after=11), 1, policy, rng) is None
    assert retry_delay(InvalidRequest("x"), 1, policy, rng) is None
    assert retry_delay(ProviderUnavailable("x"), 3, RetryPolicy(max_attempts=3), rng) is None


def test_call_with_retries_counts_attempts() -> None:
    calls: list[int] = []
    sleeps: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ProviderUnavailable("down")
        return "up"

    seen: list[tuple[str, int]] = []
    result = call_with_retries(
        flaky, RetryPolicy(max_attempts=3, base_delay_s=0.01), sleep=sleeps.append,
        on_retry=lambda e, a, d: seen.append((type(e).__name__, a)),
    )  # fmt: skip
    assert result == "up" and len(calls) == 3 and len(sleeps) == 2
    assert seen == [("ProviderUnavailable", 1), ("ProviderUnavailable", 2)]


def test_non_retryable_errors_are_raised_at_once() -> None:
    calls: list[int] = []

    def bad() -> None:
        calls.append(1)
        raise InvalidRequest("no")

    with pytest.raises(InvalidRequest):
        call_with_retries(bad, RetryPolicy(), sleep=lambda _s: None)
    assert calls == [1]


def test_exhaustion_raises_the_last_error() -> None:
    with pytest.raises(RateLimited, match="third"):
        errors = iter([RateLimited("first"), RateLimited("second"), RateLimited("third")])
        call_with_retries(lambda: (_ for _ in ()).throw(next(errors)), RetryPolicy(), sleep=lambda _s: None)
