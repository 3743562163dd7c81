"""The gateway: resolve the model, translate tools, call the provider with retries, fall back.

For each model in ``[model, *fallbacks]``: resolve the alias, look up the provider, translate the
tool schemas for it, fetch its key and call it, retrying retryable errors (of the key read too) with
backoff. Any failure that survives the retries moves on to the next model; an exception a provider
lets through unmapped becomes a gateway error first (``ProviderIncompatible``). When every model
fails, the primary model's error is raised (its class is the Step Functions ``errorType``), with the
others summarized.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from llm_gateway.config import GatewayConfig
from llm_gateway.errors import GatewayError, InvalidRequest
from llm_gateway.models import GatewayRequest, GatewayResponse, ToolSpec
from llm_gateway.observability import Telemetry, logger
from llm_gateway.providers import Provider, ProviderCall, ProviderRegistry
from llm_gateway.providers.base import unexpected_error
from llm_gateway.retry import call_with_retries
from llm_gateway.schemas import SchemaRejected, translate_schema
from llm_gateway.secrets import KeyStore

__all__ = ["Gateway", "parse_request"]


def parse_request(request: GatewayRequest | Mapping[str, Any]) -> GatewayRequest:
    if isinstance(request, GatewayRequest):
        return request
    try:
        return GatewayRequest.model_validate(request)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<request>'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidRequest(f"invalid gateway request: {problems}") from None


class Gateway:
    """Everything is injectable: configuration, keys, providers, telemetry, sleep and randomness."""

    def __init__(
        self,
        config: GatewayConfig | None = None,
        *,
        keys: KeyStore | None = None,
        providers: ProviderRegistry | Mapping[str, Provider] | None = None,
        telemetry: Telemetry | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config or GatewayConfig.from_env()
        self.keys = keys or KeyStore(self.config.llm_secret_name)
        self.providers = providers if isinstance(providers, ProviderRegistry) else ProviderRegistry(providers)
        self.telemetry = telemetry or Telemetry()
        self._sleep = sleep
        self._rng = rng or random.Random()

    def complete(
        self, request: GatewayRequest | Mapping[str, Any], *, deadline: float | None = None
    ) -> GatewayResponse:
        """Answer ``request``; ``deadline`` (``time.monotonic()`` value) stops retries early."""
        started = time.perf_counter()
        req = parse_request(request)
        chain = list(dict.fromkeys([req.model, *req.fallbacks]))
        failures: list[GatewayError] = []
        for index, name in enumerate(chain):
            try:
                response = self._attempt(name, req, fallback=index > 0, deadline=deadline)
            except GatewayError as exc:
                failures.append(exc)
                continue
            response.latency_ms = round((time.perf_counter() - started) * 1000.0, 3)
            logger.info(
                "llm call",
                extra={
                    "provider": response.provider,
                    "model": response.model,
                    "stop_reason": response.stop_reason,
                    "tool_calls": len(response.tool_calls),
                    "input_tokens": response.usage.input_tokens,
                    "output_tokens": response.usage.output_tokens,
                    "latency_ms": response.latency_ms,
                    "fallbacks_failed": [type(f).__name__ for f in failures],
                },
            )
            return response
        raise _final_error(chain, failures)

    def _attempt(
        self, name: str, req: GatewayRequest, *, fallback: bool, deadline: float | None
    ) -> GatewayResponse:
        provider_name, model_id = name, name
        retries = 0
        started = time.perf_counter()

        def on_retry(exc: GatewayError, attempt: int, delay: float) -> None:
            nonlocal retries
            retries += 1
            logger.warning(
                "retrying llm call",
                extra={
                    "provider": provider_name,
                    "model": model_id,
                    "attempt": attempt,
                    "error_type": type(exc).__name__,
                    "delay_s": round(delay, 3),
                },
            )

        try:
            provider_name, model_id = self.config.resolve(name)
            provider = self.providers.get(provider_name)
            tools = tuple(self._tool(provider, provider_name, t) for t in req.tools)

            def attempt() -> GatewayResponse:  # the key read is retried too (transient failures)
                return _complete(provider, self._prepare(provider, provider_name, model_id, req, tools))

            with self.telemetry.span("## llm " + provider_name, provider=provider_name, model=model_id):
                response = call_with_retries(
                    attempt,
                    self.config.retry,
                    sleep=self._sleep,
                    rng=self._rng,
                    deadline=deadline,
                    on_retry=on_retry,
                )
        except GatewayError as exc:
            exc.provider = exc.provider or provider_name
            exc.model = exc.model or (model_id if provider_name != model_id else None)
            self.telemetry.record(
                provider_name,
                model_id,
                latency_ms=_ms(started),
                error=type(exc).__name__,
                retries=retries,
                fallback=fallback,
            )
            logger.warning(
                "llm call failed",
                extra={
                    "provider": provider_name,
                    "model": model_id,
                    "error_type": type(exc).__name__,
                    "retries": retries,
                },
            )
            raise
        response.provider, response.model = provider_name, model_id
        self.telemetry.record(
            provider_name,
            model_id,
            latency_ms=_ms(started),
            input_tokens=response.usage.input_tokens,
            output_tokens=response.usage.output_tokens,
            retries=retries,
            fallback=fallback,
        )
        return response

    def _prepare(
        self,
        provider: Provider,
        provider_name: str,
        model_id: str,
        req: GatewayRequest,
        tools: tuple[ToolSpec, ...] | None = None,
    ) -> ProviderCall:
        """The provider call (the API key read now); ``tools`` already translated, or translated here."""
        api_key = self.keys.get(provider_name) if provider.needs_api_key else None
        if tools is None:
            tools = tuple(self._tool(provider, provider_name, t) for t in req.tools)
        return ProviderCall(
            model=model_id,
            request=req,
            tools=tools,
            api_key=api_key,
            timeout_s=self.config.timeout_s,
            base_url=self.config.base_urls.get(provider_name),
            region=self.config.bedrock_region,
        )

    @staticmethod
    def _tool(provider: Provider, provider_name: str, tool: ToolSpec) -> ToolSpec:
        if provider.schema_dialect is None:
            return tool
        try:
            translated = translate_schema(provider.schema_dialect, tool.input_schema)
        except SchemaRejected as exc:
            raise InvalidRequest(
                f"tool {tool.name!r}: its input_schema cannot be sent to {provider_name}: {exc}"
            ) from None
        if translated.schema is tool.input_schema:
            return tool
        return ToolSpec.model_construct(
            name=tool.name, description=tool.description, input_schema=translated.schema
        )


def _complete(provider: Provider, call: ProviderCall) -> GatewayResponse:
    """``provider.complete(call)``; whatever a provider lets through unmapped (a third-party
    provider, a bug in a reply's normalization) becomes a gateway error here, so the fallbacks run."""
    try:
        return provider.complete(call)
    except GatewayError:
        raise
    except Exception as exc:
        error = unexpected_error(exc)  # its message is redacted; the raw traceback is not logged
        logger.warning(
            "provider raised an unmapped exception",
            extra={"provider": provider.name, "error_type": type(exc).__name__, "error": str(error)},
        )
        raise error from None


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 3)


def _final_error(chain: list[str], failures: list[GatewayError]) -> GatewayError:
    primary = failures[0]
    if len(failures) == 1:
        return primary
    others = "; ".join(
        f"{name} -> {type(f).__name__}: {f}" for name, f in zip(chain[1:], failures[1:], strict=True)
    )
    error = type(primary)(
        f"{primary.message} (fallbacks also failed: {others})",
        provider=primary.provider,
        model=primary.model,
        status_code=primary.status_code,
        retry_after=primary.retry_after,
    )
    error.attempts = failures  # type: ignore[attr-defined]
    return error
