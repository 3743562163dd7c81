"""``LocalControlPlane``: the whole loop of docs/design.md §1 on the embedded emulator.

What AWS does outside its APIs, reproduced here: CloudTrail (``cloudtrail.CloudTrailRecorder``),
EventBridge's Lambda target (``cloudtrail_pump.CloudTrailPump``), DynamoDB-stream delivery to the
regenerator (the emulator's stream pump, ``local.streams``) and running Lambda code
(``local.lambda_runner``). Everything else is the real platform code and the real resources.
"""

from __future__ import annotations

import time
from typing import Any

from local.cloudtrail import CloudTrailRecorder
from local.cloudtrail_pump import Chaos, CloudTrailPump
from local.errors import EmulatorError
from local.platform import PlatformResources, deploy_platform

__all__ = ["LocalControlPlane"]


class LocalControlPlane:
    """Deploys the platform on a running ``LocalAws`` and keeps its event pumps going."""

    def __init__(
        self,
        aws: Any,
        env: str = "dev",
        *,
        chaos: Chaos | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.aws = aws
        self.env = env
        self.chaos = chaos
        self._environ = environ
        self.resources: PlatformResources | None = None
        self.pump: CloudTrailPump | None = None
        self._unwrap: Any = None

    def start(self) -> LocalControlPlane:
        self.resources = deploy_platform(self.aws, self.env, self._environ)
        self.pump = CloudTrailPump(
            self.aws,
            self.resources.cloudtrail_queue_url,
            self.resources.functions["registrar"],
            chaos=self.chaos,
        )
        pump = self.pump
        self.aws.wrap_app(
            lambda app: CloudTrailRecorder(
                app, pump.record, account=self.aws.account_id, region=self.aws.region
            )
        )
        pump.start()
        return self

    def stop(self) -> None:
        if self._unwrap is not None:
            self._unwrap()
            self._unwrap = None
        if self.pump:
            self.pump.stop()

    def __enter__(self) -> LocalControlPlane:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until every recorded event reached the registrar and every stream record was handled.

        Twice idle in a row, because a registry write made by the registrar starts stream work and
        a regeneration can write again.
        """
        assert self.pump is not None, "start() first"
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2:
            if time.monotonic() > deadline:
                raise EmulatorError(f"the local control plane did not settle within {timeout} s")
            self.aws.wait_for_streams(timeout=max(0.1, deadline - time.monotonic()))
            quiet = quiet + 1 if self.pump.idle() else 0
            time.sleep(0.03)

    def reconcile(self) -> dict[str, Any]:
        """Run one reconciler pass (on AWS it runs on a schedule) and return its summary."""
        import json

        assert self.resources is not None, "start() first"
        response = self.aws.client("lambda").invoke(
            FunctionName=self.resources.functions["reconciler"], Payload=b"{}"
        )
        payload = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            raise EmulatorError(f"reconciler failed: {payload}")
        return payload
