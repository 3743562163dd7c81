"""Step Functions ``ListStateMachineVersions`` and ``DeleteStateMachineVersion`` (moto has neither).

moto keeps a state machine's versions in ``StateMachine.versions`` (number → ``StateMachineVersion``)
and never reuses a number (``latest_version_number`` only grows), as AWS. Both operations answer from
that dict; they are added to moto's ``StepFunctionResponse``, whose dispatcher calls the method named
after the action (``ListStateMachineVersions`` → ``list_state_machine_versions``), so boto3 works
against the server. What AWS does, and so what these do:

* List: newest first (AWS: by creation time, descending), ``maxResults`` 1 to 1000 (0 or absent:
  100), an opaque ``nextToken`` (a bad one: ``InvalidToken``). AWS documents no not-found error for
  this call, so an unknown state machine lists nothing.
* Delete: one version. A version an alias routes to → ``ConflictException`` (AWS: "You can't delete
  a state machine version currently referenced by one or more aliases"). An unknown version (deleted
  already, or never published) succeeds: AWS documents no not-found error here either, and deleting
  is idempotent. Afterwards DescribeStateMachine and StartExecution on its ARN fail with
  ``StateMachineDoesNotExist``, as moto already answers for a number missing from ``versions``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from local.moto_patches._registry import patch

__all__ = ["apply"]

_DEFAULT_PAGE = 100
_MAX_PAGE = 1000


def apply() -> None:
    from moto.stepfunctions.responses import StepFunctionResponse

    patch(StepFunctionResponse, "list_state_machine_versions", _list_state_machine_versions)
    patch(StepFunctionResponse, "delete_state_machine_version", _delete_state_machine_version)


def _list_state_machine_versions(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import ValidationException

    backend = self.stepfunction_backend
    arn = self._get_param("stateMachineArn")
    backend._validate_machine_arn(arn)  # InvalidArn, as AWS
    page_size = self._get_int_param("maxResults") or _DEFAULT_PAGE
    if not 0 < page_size <= _MAX_PAGE:
        raise ValidationException(
            f"1 validation error detected: Value '{page_size}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value less than or equal to {_MAX_PAGE}"
        )
    machine = next((m for m in backend.state_machines if m.arn == arn), None)
    versions = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True) if machine else []
    token = self._get_param("nextToken")
    if token:
        below = _decode_token(token, arn)
        versions = [v for v in versions if v.version < below]
    page = versions[:page_size]
    result: dict[str, Any] = {
        "stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page
        ]
    }
    if len(versions) > page_size:
        # The token names where the page ended, not an offset: deleting versions between two
        # pages (what a pruner does) neither skips nor repeats any.
        result["nextToken"] = _encode_token(page[-1].version, arn)
    return ActionResult(result)


def _delete_state_machine_version(self: Any) -> Any:
    from moto.core.exceptions import AWSError
    from moto.core.responses import EmptyResult
    from moto.stepfunctions.exceptions import InvalidArn

    backend = self.stepfunction_backend
    arn = self._get_param("stateMachineVersionArn")
    backend._validate_machine_arn(arn)
    machine_arn, _, number = arn.rpartition(":")
    if not number.isdigit() or ":stateMachine:" not in machine_arn:
        raise InvalidArn(f"Invalid State Machine Version Arn: '{arn}'")
    machine = next((m for m in backend.state_machines if m.arn == machine_arn), None)
    if machine is None or int(number) not in machine.versions:
        return EmptyResult()
    referencing = sorted(
        alias.arn
        for alias in machine.aliases.values()
        if any(route.get("stateMachineVersionArn") == arn for route in alias.routing_configuration)
    )
    if referencing:
        raise AWSError(
            f"Version to be deleted must not be referenced by an alias. Current list of aliases "
            f"referencing this version: {referencing}",
            exception_type="ConflictException",
            status=409,
        )
    del machine.versions[int(number)]
    if machine.latest_version is not None and machine.latest_version.arn == arn:
        # moto answers CreateStateMachine/UpdateStateMachine(publish) from `latest_version`; it is
        # replaced on the next publish. Point it at the newest remaining version meanwhile.
        machine.latest_version = machine.versions[max(machine.versions)] if machine.versions else None
    return EmptyResult()


def _encode_token(below: int, arn: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"arn": arn, "below": below}).encode()).decode()


def _decode_token(token: str, arn: str) -> int:
    from moto.stepfunctions.exceptions import InvalidToken

    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if data["arn"] != arn:
            raise ValueError("token of another state machine")
        return int(data["below"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidToken(f"not a token of this listing: {token!r}") from None
