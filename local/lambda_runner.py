"""The local Lambda runner: really runs a function's deployed code, behind moto's Lambda Invoke.

moto without Docker never runs Lambda code (its "simple" backend echoes the request). The runner
extracts the function's zip once per code hash, keeps warm worker processes per function version
(see ``lambda_worker`` for why processes), applies the function's environment plus what the Lambda
service would set — region, credentials, ``AWS_ENDPOINT_URL`` pointing at the emulator so the
handler's own boto3 calls stay local — enforces the function's timeout by killing the worker, and
answers in Lambda's shapes (``FunctionError: Unhandled`` with ``errorType``/``errorMessage``).

``lambda_spec`` decides what runs (command, environment); :func:`invoke_from_moto` adapts moto's
``LambdaFunction.invoke`` call (body text, invocation type, response headers) to the runner.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

from local.errors import RuntimeNotAvailableError
from local.lambda_spec import FunctionSpec, InvokeResult, worker_argv, worker_environment
from local.lambda_worker import WorkerDiedError, WorkerProcess

__all__ = ["FunctionSpec", "InvokeResult", "LambdaRunner", "invoke_from_moto"]

INIT_TIMEOUT_SECONDS = 10.0  # AWS's limit for a function's init phase
MAX_IDLE_WORKERS_PER_VERSION = 2


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


class LambdaRunner:
    """Runs Lambda invocations in warm worker processes; one per emulator."""

    def __init__(self, endpoint_url: str, work_dir: Path | None = None) -> None:
        self.endpoint_url = endpoint_url
        self._owns_work_dir = work_dir is None
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="sfa-lambda-"))
        self._lock = threading.Lock()
        self._idle: dict[tuple[Any, ...], list[WorkerProcess]] = {}
        self._busy: set[WorkerProcess] = set()
        self._current_key: dict[tuple[str, str], tuple[Any, ...]] = {}

    # -- public --------------------------------------------------------------------------------

    def invoke(self, spec: FunctionSpec, event: Any) -> InvokeResult:
        """Run ``spec``'s handler on ``event`` (already parsed JSON) and wait for its answer."""
        request_id = str(uuid.uuid4())
        started = time.monotonic()
        try:
            payload, error = self._invoke(spec, event, request_id)
        except RuntimeNotAvailableError as exc:
            payload, error = _error_payload("Runtime.NotAvailableLocally", str(exc)), "Unhandled"
        return InvokeResult(
            payload=payload,
            function_error=error,
            executed_version=spec.version,
            request_id=request_id,
            duration_ms=(time.monotonic() - started) * 1000,
        )

    def reset(self) -> None:
        """Kill every worker (module-level state must not leak into the next test or run)."""
        with self._lock:
            idle = [w for workers in self._idle.values() for w in workers]
            self._idle.clear()
            self._current_key.clear()
            busy = list(self._busy)
        for worker in idle:
            worker.close()
        for worker in busy:
            worker.terminate()  # its invoking thread sees the death and closes it

    def close(self) -> None:
        """Kill every worker and delete the extracted code."""
        self.reset()
        if self._owns_work_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    # -- internals -----------------------------------------------------------------------------

    def _invoke(self, spec: FunctionSpec, event: Any, request_id: str) -> tuple[bytes, str | None]:
        worker = self._acquire(spec)
        if isinstance(worker, bytes):  # the init phase failed
            return worker, "Unhandled"
        deadline_ms = int(time.time() * 1000 + spec.timeout * 1000)
        context = {
            "function_name": spec.name,
            "function_version": spec.version,
            "invoked_function_arn": spec.arn,
            "memory_limit_in_mb": spec.memory_size,
            "aws_request_id": request_id,
            "log_group_name": f"/aws/lambda/{spec.name}",
            "log_stream_name": f"local/[{spec.version}]{request_id.replace('-', '')}",
            "deadline_ms": deadline_ms,
        }
        healthy = False
        try:
            worker.send({"id": request_id, "event": event, "context": context})
            message = worker.receive(time.monotonic() + spec.timeout)
            if message is None:
                msg = f"RequestId: {request_id} Error: Task timed out after {spec.timeout:.2f} seconds"
                return _error_payload("Sandbox.Timedout", msg), "Unhandled"
            healthy = True
        except WorkerDiedError as exc:
            msg = f"RequestId: {request_id} Error: {exc}"
            return _error_payload("Runtime.ExitError", msg), "Unhandled"
        finally:
            self._release(spec, worker, healthy)
        if message.get("ok"):
            return message["payload"].encode("utf-8"), None
        return json.dumps(message["error"]).encode("utf-8"), "Unhandled"

    def _acquire(self, spec: FunctionSpec) -> WorkerProcess | bytes:
        key = spec.pool_key()
        stale: list[WorkerProcess] = []
        with self._lock:
            previous = self._current_key.get((spec.arn, spec.version))
            if previous is not None and previous != key:  # new code or configuration
                stale = self._idle.pop(previous, [])
            self._current_key[(spec.arn, spec.version)] = key
            idle = self._idle.get(key, [])
            worker = None
            while idle and worker is None:
                candidate = idle.pop()
                if candidate.alive:
                    worker = candidate
                else:
                    stale.append(candidate)
            if worker is not None:
                self._busy.add(worker)
        for old in stale:
            old.close()
        if worker is not None:
            return worker
        return self._spawn(spec)

    def _spawn(self, spec: FunctionSpec) -> WorkerProcess | bytes:
        argv = worker_argv(spec.runtime)
        code_dir = self._extract(spec)
        worker = WorkerProcess(
            argv,
            env=worker_environment(spec, code_dir, self.endpoint_url),
            cwd=code_dir,
            label=f"{spec.name}:{spec.version}",
        )
        try:
            ready = worker.receive(time.monotonic() + max(INIT_TIMEOUT_SECONDS, spec.timeout))
        except WorkerDiedError as exc:
            worker.close()
            return _error_payload("Runtime.ExitError", f"Init failed: {exc}")
        if ready is None:
            worker.close()
            msg = f"Init phase exceeded {INIT_TIMEOUT_SECONDS:.0f} seconds"
            return _error_payload("Sandbox.Timedout", msg)
        if not ready.get("ready"):
            worker.close()
            return json.dumps(ready["error"]).encode("utf-8")
        with self._lock:
            self._busy.add(worker)
        return worker

    def _release(self, spec: FunctionSpec, worker: WorkerProcess, healthy: bool) -> None:
        key = spec.pool_key()
        with self._lock:
            self._busy.discard(worker)
            idle = self._idle.setdefault(key, [])
            keep = (
                healthy
                and worker.alive
                and self._current_key.get((spec.arn, spec.version)) == key
                and len(idle) < MAX_IDLE_WORKERS_PER_VERSION
            )
            if keep:
                idle.append(worker)
        if not keep:
            worker.close()

    def _extract(self, spec: FunctionSpec) -> Path:
        target = self.work_dir / spec.code_digest
        if target.is_dir():
            return target
        staging = Path(tempfile.mkdtemp(dir=self.work_dir, prefix=".extract-"))
        with zipfile.ZipFile(io.BytesIO(spec.code)) as archive:
            archive.extractall(staging)
        try:
            staging.rename(target)
        except OSError:  # another thread extracted the same code first
            shutil.rmtree(staging, ignore_errors=True)
        return target


def invoke_from_moto(
    runner: LambdaRunner, function: Any, body: Any, request_headers: Any, response_headers: Any
) -> bytes:
    """Serve moto's ``LambdaFunction.invoke(body, request_headers, response_headers)``.

    ``RequestResponse`` waits for the handler; ``Event`` answers at once (moto replies 202) and runs
    the handler on a background thread, as Lambda's asynchronous invoke; ``DryRun`` runs nothing.
    """
    from moto.awslambda.exceptions import LambdaClientError

    if isinstance(body, bytes):
        body = body.decode("utf-8")
    try:
        event = json.loads(body) if body else {}
    except ValueError as exc:
        msg = f"Could not parse request body into json: {exc}"
        raise LambdaClientError("InvalidRequestContentException", msg) from None
    headers = {str(k).lower(): str(v) for k, v in dict(request_headers or {}).items()}
    invocation_type = headers.get("x-amz-invocation-type", "RequestResponse")
    if invocation_type == "DryRun":
        return b""
    spec = FunctionSpec.from_moto(function)
    response_headers["x-amz-executed-version"] = spec.version
    if invocation_type == "Event":
        threading.Thread(target=runner.invoke, args=(spec, event), daemon=True).start()
        return b""
    result = runner.invoke(spec, event)
    if result.function_error:
        response_headers["x-amz-function-error"] = result.function_error
    return result.payload
