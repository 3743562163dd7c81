"""``RenderOptions``: the deployment-side knobs of a rendered agent (not part of the agent spec)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DEFAULT_GATEWAY_RETRY", "DEFAULT_LAMBDA_RETRY", "RenderOptions", "RetryPolicy"]


class RetryPolicy(BaseModel):
    """An ASL ``Retry`` rule's timing. Step Functions needs ``interval_seconds`` ≥ 1; moto really
    sleeps it, so tests use 1 s and few attempts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    interval_seconds: int = Field(default=2, ge=1, le=99_999_999)
    max_attempts: int = Field(default=3, ge=0, le=99_999_999)
    backoff_rate: float = Field(default=2.0, ge=1.0)
    max_delay_seconds: int | None = Field(default=None, ge=1)
    full_jitter: bool = False

    def rule(self, errors: list[str]) -> dict[str, object]:
        rule: dict[str, object] = {
            "ErrorEquals": errors,
            "IntervalSeconds": self.interval_seconds,
            "MaxAttempts": self.max_attempts,
            "BackoffRate": self.backoff_rate,
        }
        if self.max_delay_seconds is not None:
            rule["MaxDelaySeconds"] = self.max_delay_seconds
        if self.full_jitter:
            rule["JitterStrategy"] = "FULL"
        return rule


# The gateway's own retries happen inside one invocation; these are on top, for a provider that is
# still throttling or down when the gateway gives up (jittered so parallel runs spread out).
DEFAULT_GATEWAY_RETRY = RetryPolicy(
    interval_seconds=3, max_attempts=4, backoff_rate=2.0, max_delay_seconds=60, full_jitter=True
)
# Transient Lambda service errors (AWS's recommended retry for every lambda:invoke task).
DEFAULT_LAMBDA_RETRY = RetryPolicy(interval_seconds=1, max_attempts=3, backoff_rate=2.0)


class RenderOptions(BaseModel):
    """How to render: environment names, concurrency, retries, limits.

    ``event_bus_name`` defaults to ``sfa-registry-{env}`` (docs/design.md §5). ``max_static_payload_bytes``
    guards the per-call gateway payload: tool specs and the system prompt travel on every LLM call and
    Step Functions caps state data at 256 KB, so a definition whose fixed part alone exceeds the guard
    is refused (``None`` disables the check, e.g. for benchmarks of the definition size).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str = Field(default="dev", pattern=r"^[a-zA-Z0-9_-]{1,20}$")
    event_bus_name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._/-]{1,256}$")
    tool_concurrency: int = Field(default=10, ge=1, le=40)
    default_tool_timeout_seconds: int = Field(default=300, ge=1, le=900)
    max_tool_result_chars: int = Field(default=20_000, ge=100, le=200_000)
    gateway_retry: RetryPolicy = DEFAULT_GATEWAY_RETRY
    lambda_retry: RetryPolicy = DEFAULT_LAMBDA_RETRY
    max_static_payload_bytes: int | None = Field(default=160_000, ge=1)
    # Large payloads (docs/large-payloads.md): tools are invoked through the gateway Lambda's tool
    # invoker, which offloads large results to the content bucket; results are kept as given
    # (a string or a reference) instead of truncated to max_tool_result_chars. Off here (a rendering
    # without a platform has no bucket); the regenerator turns it on when the platform configures
    # its content bucket (SFA_CONTENT_BUCKET: the CDK app and local mode do).
    offload: bool = False
    # History budget: a Standard execution fails at 25,000 events; before the next turn could cross
    # max_history_events - history_margin_events, the conversation continues in a child execution.
    max_history_events: int = Field(default=25_000, ge=100, le=25_000)
    history_margin_events: int = Field(default=1_000, ge=0, le=10_000)

    @property
    def bus_name(self) -> str:
        return self.event_bus_name or f"sfa-registry-{self.env}"

    def state_machine_name(self, agent_name: str) -> str:
        """``agent-{name}-{env}`` (docs/design.md §8): the chain's children run on the same machine."""
        return f"agent-{agent_name}-{self.env}"
