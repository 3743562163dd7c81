"""llm_gateway: one Lambda in front of every LLM provider (docs/design.md §6).

Modules (importing this package or ``llm_gateway.handler`` loads no provider SDK):

* ``handler`` — the Lambda entry point ``handler(event, context)``.
* ``gateway`` — :class:`~llm_gateway.gateway.Gateway`: aliases, keys, tool-schema translation,
  retries and fallbacks around the providers.
* ``models`` — the normalized request/response (pydantic). ``errors`` — the error classes Step
  Functions matches. ``config`` — configuration and its environment variables. ``retry`` — backoff.
  ``secrets`` — API keys (environment, then Secrets Manager) and redaction. ``observability`` —
  Powertools logger, tracer and EMF metrics.
* ``providers`` — the provider registry and one module per provider: ``anthropic``, ``openai``,
  ``gemini``, ``bedrock``, and ``offline`` (deterministic rules, not a language model).
* ``platform_ops`` — the tool invoker and the history-budget continuation (``sfa_op`` events);
  ``callers`` — who may call them (the calling execution and the definition it runs, as Step
  Functions describes them); ``content`` — references in and out of an LLM call; ``aws`` — the one
  seam mapping the gateway's own AWS errors.
* ``schemas`` — per-provider tool-schema translators and the portability checkers contributed to
  ``tool_sdk.portability`` (entry point ``sfn_agents.schema_checkers``).
"""

__all__: list[str] = []
