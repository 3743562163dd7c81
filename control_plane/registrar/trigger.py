"""What triggers the registrar: CloudTrail-shaped EventBridge events of Lambda API calls.

:data:`REGISTRAR_EVENT_PATTERN` is the EventBridge rule pattern (shared by the CDK app and local
mode). CloudTrail appends API-version suffixes to Lambda event names (``UpdateFunctionCode20150331v2``)
so names match by prefix; the prefixes include the ``20`` of the suffix's year so that other APIs
sharing a stem (``CreateFunctionUrlConfig…``, ``DeleteFunctionConcurrency…``) do not match, and
each bare name is listed too in case an event arrives without a suffix. Failed calls (``errorCode``
present) changed nothing and are filtered out.

:func:`parse_trigger` extracts the function from such an event; :func:`cloudtrail_event` builds
one (local mode's CloudTrail pump and the tests use it).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "CLOUDTRAIL_DETAIL_TYPE",
    "REGISTRAR_EVENT_NAMES",
    "REGISTRAR_EVENT_PATTERN",
    "Trigger",
    "cloudtrail_event",
    "function_name_from_ref",
    "parse_trigger",
]

CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"
REGISTRAR_EVENT_NAMES: tuple[str, ...] = (
    "CreateFunction",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
    "TagResource",
    "UntagResource",
    "DeleteFunction",
)
REGISTRAR_EVENT_PATTERN: dict[str, Any] = {
    "source": ["aws.lambda"],
    "detail-type": [CLOUDTRAIL_DETAIL_TYPE],
    "detail": {
        "eventSource": ["lambda.amazonaws.com"],
        "eventName": [m for n in REGISTRAR_EVENT_NAMES for m in (n, {"prefix": f"{n}20"})],
        "errorCode": [{"exists": False}],
    },
}
# Version suffix: a date, optionally a revision ("20150331", "20150331v2").
_EVENT_NAME_RE = re.compile(rf"^({'|'.join(REGISTRAR_EVENT_NAMES)})(?:\d{{8}}(?:v\d+)?)?$")
_FUNCTION_ARN_RE = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:)?(?:\d{12}:)?function:([a-zA-Z0-9_-]{1,140})(?::[\w$-]+)?$"
)
_FUNCTION_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,140}$")


@dataclass(frozen=True)
class Trigger:
    """A relevant Lambda API call: which call (without suffix) on which function."""

    action: str
    event_name: str
    function_name: str
    event_id: str | None = None
    event_time: str | None = None
    actor: str | None = None  # the caller's IAM principal (CloudTrail userIdentity.arn)


def function_name_from_ref(ref: str) -> str | None:
    """The function name in a name, a partial ARN or a (qualified) function ARN; else None."""
    if _FUNCTION_NAME_RE.match(ref):
        return ref
    m = _FUNCTION_ARN_RE.match(ref)
    return m.group(1) if m else None


def parse_trigger(event: Mapping[str, Any]) -> Trigger | None:
    """The trigger in an EventBridge event, or None when the event is not one the registrar handles."""
    if event.get("detail-type") != CLOUDTRAIL_DETAIL_TYPE or event.get("source") != "aws.lambda":
        return None
    detail = event.get("detail")
    if not isinstance(detail, Mapping) or detail.get("errorCode"):
        return None
    event_name = str(detail.get("eventName", ""))
    m = _EVENT_NAME_RE.match(event_name)
    if not m:
        return None
    request = detail.get("requestParameters") or {}
    response = detail.get("responseElements") or {}
    refs = [
        request.get("functionName") if isinstance(request, Mapping) else None,
        request.get("resource") if isinstance(request, Mapping) else None,
        response.get("functionArn") if isinstance(response, Mapping) else None,
        response.get("functionName") if isinstance(response, Mapping) else None,
    ]
    for ref in refs:
        if isinstance(ref, str) and (name := function_name_from_ref(ref)):
            return Trigger(
                action=m.group(1),
                event_name=event_name,
                function_name=name,
                event_id=detail.get("eventID"),
                event_time=detail.get("eventTime"),
                actor=_actor(detail.get("userIdentity")),
            )
    return None


def _actor(identity: Any) -> str | None:
    if not isinstance(identity, Mapping):
        return None
    arn = identity.get("arn") or identity.get("principalId")
    return str(arn)[:256] if arn else None


_SUFFIX = {
    "CreateFunction": "20150331",
    "UpdateFunctionCode": "20150331v2",
    "UpdateFunctionConfiguration": "20150331v2",
    "TagResource": "20170331v2",
    "UntagResource": "20170331v2",
    "DeleteFunction": "20150331",
}


def cloudtrail_event(
    action: str,
    function_arn: str,
    *,
    account: str = "123456789012",
    region: str = "us-east-1",
    tag_keys: list[str] | None = None,
    event_time: datetime | None = None,
    actor_arn: str | None = None,
) -> dict[str, Any]:
    """A CloudTrail-shaped EventBridge event for ``action`` (e.g. ``"TagResource"``) on a function.

    Mirrors what AWS delivers: the versioned event name, the function in ``requestParameters``
    (``resource`` for tagging calls, ``functionName`` otherwise) and, for UntagResource, the keys.
    Tag values are left out: the registrar never reads them from the event.

    ``actor_arn`` (the caller, e.g. ``arn:aws:iam::123456789012:user/alice``) adds CloudTrail's
    ``userIdentity``: ``type`` (``IAMUser``, ``AssumedRole`` or ``Root``, from the ARN), ``arn``,
    ``accountId`` and, for a user, ``userName``. Without it the event has no ``userIdentity``.
    CloudTrail also reports ``principalId`` and ``accessKeyId``, which an ARN does not tell: a
    caller that knows them (local mode's recorder) adds them to ``detail["userIdentity"]``.
    """
    if action not in _SUFFIX:
        raise ValueError(f"action must be one of {', '.join(_SUFFIX)}")
    name = function_name_from_ref(function_arn) or function_arn
    when = (event_time or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if action in ("TagResource", "UntagResource"):
        request: dict[str, Any] = {"resource": function_arn}
        if action == "UntagResource":
            request["tagKeys"] = list(tag_keys or [])
        response = None
    elif action == "DeleteFunction":
        request, response = {"functionName": name}, None
    else:
        request = {"functionName": name}
        response = {"functionName": name, "functionArn": function_arn}
    event_id = str(uuid.uuid4())
    identity: dict[str, Any] = {}
    if actor_arn:
        # "arn:aws:iam::123456789012:user/path/alice" → resource "user/path/alice"
        _, _, _, _, actor_account, resource = (actor_arn.split(":", 5) + [""] * 6)[:6]
        kind = resource.split("/", 1)[0]
        identity = {
            "userIdentity": {
                "type": {"assumed-role": "AssumedRole", "root": "Root"}.get(kind, "IAMUser"),
                "arn": actor_arn,
                "accountId": actor_account or account,
                **({"userName": resource.rsplit("/", 1)[-1]} if kind == "user" else {}),
            }
        }
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": CLOUDTRAIL_DETAIL_TYPE,
        "source": "aws.lambda",
        "account": account,
        "time": when,
        "region": region,
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            **identity,
            "eventTime": when,
            "eventSource": "lambda.amazonaws.com",
            "eventName": f"{action}{_SUFFIX[action]}",
            "awsRegion": region,
            "eventID": event_id,
            "eventType": "AwsApiCall",
            "recipientAccountId": account,
            "requestParameters": request,
            "responseElements": response,
        },
    }
