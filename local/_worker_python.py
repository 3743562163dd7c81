"""Python Lambda worker: runs one function's handler in its own process, invocation after invocation.

Started by ``local.lambda_runner`` as ``python -P _worker_python.py`` with the working directory set
to the function's extracted code (like ``/var/task``) and the function's environment. It imports
nothing from the project — it runs in the handler's process and must not shadow the handler's own
modules (``-P`` keeps this file's directory off ``sys.path``).

Protocol: one JSON request per line on stdin ``{"id", "event", "context"}``; one JSON message per
line on the file descriptor named by ``_SFA_RESULT_FD``: first ``{"ready": true}`` (or an init error),
then ``{"id", "ok": true, "payload": "<json text>"}`` or ``{"id", "ok": false, "error": {...}}`` per
request. stdout/stderr stay free for the handler's logs. Errors use the AWS Python runtime's shape.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

RESULT_FD = int(os.environ.pop("_SFA_RESULT_FD"))


def _send(message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode("utf-8")
    while data:
        data = data[os.write(RESULT_FD, data) :]


def _error(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:]),
    }


class LambdaContext:
    """The attributes of the AWS Python runtime's context object that handlers commonly use."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.function_name: str = data["function_name"]
        self.function_version: str = data["function_version"]
        self.invoked_function_arn: str = data["invoked_function_arn"]
        self.memory_limit_in_mb: str = str(data["memory_limit_in_mb"])
        self.aws_request_id: str = data["aws_request_id"]
        self.log_group_name: str = data["log_group_name"]
        self.log_stream_name: str = data["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline_ms: int = data["deadline_ms"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _load_handler() -> Any:
    spec = os.environ["_HANDLER"]
    module_name, _, function_name = spec.rpartition(".")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise _InitError(exc, "Runtime.UserCodeSyntaxError") from exc
    except ImportError as exc:
        msg = f"Unable to import module '{module_name}': {exc}"
        raise _InitError(ImportError(msg), "Runtime.ImportModuleError") from exc
    handler = getattr(module, function_name, None)
    if handler is None:
        msg = f"Handler '{function_name}' missing on module '{module_name}'"
        raise _InitError(AttributeError(msg), "Runtime.HandlerNotFound")
    return handler


class _InitError(Exception):
    def __init__(self, cause: BaseException, error_type: str) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.error_type = error_type


def main() -> None:
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
    try:
        handler = _load_handler()
    except _InitError as exc:
        _send({"ready": False, "error": _error(exc.cause, exc.error_type)})
        return
    except Exception as exc:  # the module raised while being imported
        _send({"ready": False, "error": _error(exc)})
        return
    _send({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        context = LambdaContext(request["context"])
        try:
            result = handler(request["event"], context)
        except Exception as exc:
            error = _error(exc)
            error["requestId"] = context.aws_request_id
            _send({"id": request["id"], "ok": False, "error": error})
            continue
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as exc:
            error = _error(exc, "Runtime.MarshalError")
            error["errorMessage"] = f"Unable to marshal response: {exc}"
            _send({"id": request["id"], "ok": False, "error": error})
            continue
        _send({"id": request["id"], "ok": True, "payload": payload})


if __name__ == "__main__":
    main()
