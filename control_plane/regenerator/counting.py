"""Counting (and fault-injecting) proxies for boto3 clients: how many AWS calls a change costs.

Used by the tests and ``bench/bench_regenerator.py``; harmless in production (a metric source)::

    counter = CallCounter()
    sfn = counter.wrap("stepfunctions", boto3.client("stepfunctions"))
    ...
    counter.total()                      # every API call made through wrapped clients
    counter.of("stepfunctions", "update_state_machine")
    counter.fail_next("iam", "put_role_policy", code="ServiceFailure")   # next call raises
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

__all__ = ["CallCounter", "CountingClient"]


@dataclass
class _Fault:
    code: str
    status: int
    times: int
    after: int


@dataclass
class CallCounter:
    """Records ``(service, operation, params)`` of every call through its wrapped clients."""

    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    _faults: dict[tuple[str, str], _Fault] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, service: str, client: Any) -> CountingClient:
        return CountingClient(client, service, self)

    def fail_next(
        self,
        service: str,
        operation: str,
        *,
        code: str = "ServiceUnavailable",
        status: int = 503,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Make ``times`` calls of ``operation`` raise a botocore ``ClientError`` once ``after`` calls
        have passed."""
        self._faults[(service, operation)] = _Fault(code, status, times, after)

    def total(self, service: str | None = None) -> int:
        return sum(1 for s, _, _ in self.calls if service is None or s == service)

    def of(self, service: str, operation: str) -> list[dict[str, Any]]:
        """The parameters of each call of ``service.operation``."""
        return [p for s, o, p in self.calls if s == service and o == operation]

    def by_operation(self) -> Counter[str]:
        return Counter(f"{s}.{o}" for s, o, _ in self.calls)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._faults.clear()

    def _record(self, service: str, operation: str, params: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append((service, operation, params))
            fault = self._faults.get((service, operation))
            if fault is None:
                return
            if fault.after > 0:
                fault.after -= 1
                return
            fault.times -= 1
            if fault.times <= 0:
                del self._faults[(service, operation)]
        raise ClientError(
            {
                "Error": {"Code": fault.code, "Message": f"injected {fault.code}"},
                "ResponseMetadata": {"HTTPStatusCode": fault.status},
            },
            operation,
        )


class CountingClient:
    """A boto3 client whose API methods are counted (other attributes pass through)."""

    def __init__(self, client: Any, service: str, counter: CallCounter) -> None:
        self._client = client
        self._service = service
        self._counter = counter
        self._operations = set(getattr(client.meta, "method_to_api_mapping", {}))

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name not in self._operations:
            return attr

        def method(**params: Any) -> Any:
            self._counter._record(self._service, name, params)
            return attr(**params)

        method.__name__ = name
        return method
