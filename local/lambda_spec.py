"""What a Lambda invocation runs: the function version's spec, its worker command and environment.

Python handlers run on this interpreter (``sys.executable``, so they see this environment's
packages, like a layer) whatever the Python version in ``Runtime``; Node.js handlers run on ``node``
from ``PATH``; other runtimes raise ``RuntimeNotAvailableError`` (answered as a function error).

The environment is what the Lambda service would set — region (both ``AWS_REGION`` and
``AWS_DEFAULT_REGION``: boto3 ignores the former alone), credentials, ``AWS_ENDPOINT_URL`` pointing at
the emulator so a handler's own boto3 calls stay local — over the function's own variables. The test
process's environment is *not* inherited (isolation, like a real execution environment).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.errors import RuntimeNotAvailableError

__all__ = ["FunctionSpec", "InvokeResult", "worker_argv", "worker_environment"]

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class FunctionSpec:
    """What the runner needs to know about one function version (read from moto's model)."""

    name: str
    arn: str  # the ARN of the version that runs (unqualified for $LATEST)
    version: str
    runtime: str
    handler: str
    code: bytes = field(repr=False)
    environment: dict[str, str]
    timeout: float
    memory_size: int
    region: str

    @property
    def code_digest(self) -> str:
        return _digest(self.code)

    @classmethod
    def from_moto(cls, function: Any) -> FunctionSpec:
        """Read a ``moto.awslambda.models.LambdaFunction`` (duck-typed: no moto import here)."""
        if getattr(function, "package_type", "Zip") != "Zip" or not function.code_bytes:
            raise RuntimeNotAvailableError(
                f"function {function.function_name} has no zip code: container images cannot run locally"
            )
        return cls(
            name=function.function_name,
            arn=function.function_arn,
            version=str(function.version),
            runtime=function.run_time or "",
            handler=function.handler or "",
            code=function.code_bytes,
            environment={k: str(v) for k, v in (function.environment_vars or {}).items()},
            timeout=float(function.timeout or 3),
            memory_size=int(function.memory_size or 128),
            region=function.region,
        )

    def pool_key(self) -> tuple[Any, ...]:
        env = tuple(sorted(self.environment.items()))
        return (self.arn, self.version, self.runtime, self.handler, self.code_digest, env)


@dataclass(frozen=True)
class InvokeResult:
    """An invocation's answer as Lambda gives it: payload bytes and the ``FunctionError`` header."""

    payload: bytes
    function_error: str | None
    executed_version: str
    request_id: str
    duration_ms: float

    def json(self) -> Any:
        return json.loads(self.payload)


_DIGESTS: dict[int, tuple[bytes, str]] = {}


def _digest(code: bytes) -> str:
    # moto hands the same bytes object to every invocation: hash a zip once, not per invoke.
    cached = _DIGESTS.get(id(code))
    if cached is not None and cached[0] is code:
        return cached[1]
    if len(_DIGESTS) > 256:
        _DIGESTS.clear()
    digest = hashlib.sha256(code).hexdigest()
    _DIGESTS[id(code)] = (code, digest)
    return digest


def worker_argv(runtime: str) -> list[str]:
    if runtime.startswith("python"):
        return [sys.executable, "-P", str(_HERE / "_worker_python.py")]
    if runtime.startswith("nodejs"):
        node = shutil.which("node")
        if node is None:
            raise RuntimeNotAvailableError(
                f"runtime {runtime} needs `node` on PATH to run locally; install Node.js"
            )
        return [node, str(_HERE / "_worker_node.js")]
    raise RuntimeNotAvailableError(
        f"runtime {runtime!r} cannot run locally: only python* and nodejs* runtimes are "
        "supported by the local Lambda runner"
    )


def worker_environment(spec: FunctionSpec, code_dir: Path, endpoint_url: str) -> dict[str, str]:
    """The handler's environment: base, then the function's variables, then the service's."""
    runtime_env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "HOME": "/tmp",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    service_env = {
        "_HANDLER": spec.handler,
        "LAMBDA_TASK_ROOT": str(code_dir),
        "LAMBDA_RUNTIME_DIR": str(_HERE),
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(spec.timeout)),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[{spec.version}]",
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,  # boto3 ignores AWS_REGION alone
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",  # moto has no account-based endpoints
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }
    return {**runtime_env, **spec.environment, **service_env}
