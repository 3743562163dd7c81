"""Local mode: the project's AWS resources on an embedded emulator (docs/design.md §9).

moto's server runs in this process on 127.0.0.1 with real Step Functions executions (JSONata via
jsonata-python) and real Lambda runs (``local.lambda_runner``); ``local.moto_patches`` holds every
workaround for moto's quirks. Importing this package is cheap and changes nothing: moto is imported
and patched only by ``LocalAws.start()``.

Tests use the pytest plugin ``local.pytest_plugin`` (fixtures ``aws``, ``make_function``) and the
helpers of ``local.testing``.
"""

from local.emulator import DUMMY_CREDENTIALS, MOTO_CONFIG, LocalAws, LocalSession
from local.errors import (
    EmulatorAlreadyRunningError,
    EmulatorError,
    EmulatorNotRunningError,
    LocalError,
    RuntimeNotAvailableError,
)
from local.testing import (
    build_zip,
    create_function,
    create_state_machine,
    ensure_lambda_role,
    wait_for_execution,
)

__all__ = [
    "DUMMY_CREDENTIALS",
    "MOTO_CONFIG",
    "EmulatorAlreadyRunningError",
    "EmulatorError",
    "EmulatorNotRunningError",
    "LocalAws",
    "LocalError",
    "LocalSession",
    "RuntimeNotAvailableError",
    "build_zip",
    "create_function",
    "create_state_machine",
    "ensure_lambda_role",
    "wait_for_execution",
]
