"""CloudTrail for the emulator: every Lambda API call that reaches it becomes a CloudTrail event.

On AWS, CloudTrail records Lambda management calls and EventBridge receives them as "AWS API Call
via CloudTrail" events. moto has no CloudTrail, so :class:`CloudTrailRecorder` wraps the emulator's
WSGI app: it recognises the six Lambda calls the registrar listens to by their REST route (whoever
made them — boto3, the AWS CLI, Terraform pointed at the endpoint), and after a successful answer
hands a CloudTrail-shaped event (``control_plane.registrar.cloudtrail_event``) to a sink. Failed
calls produce nothing, as the registrar's rule filters them out on AWS anyway.

Each event names its caller in ``userIdentity`` as CloudTrail does, from the access key id in the
request's signature: the IAM user moto holds that key for, else moto's stand-in identity for keys it
does not know (the dummy ``testing`` credentials): user ``moto``, principal
``moto-default-principal`` (a placeholder, not a key).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

from control_plane.registrar import cloudtrail_event, function_name_from_ref

__all__ = ["CloudTrailRecorder", "lambda_call_of"]

log = logging.getLogger("local.cloudtrail")

# (HTTP method, route) → CloudTrail action, as in botocore's Lambda service model.
_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"^/2015-03-31/functions/?$"), "CreateFunction"),
    ("PUT", re.compile(r"^/2015-03-31/functions/(?P<fn>[^/]+)/code/?$"), "UpdateFunctionCode"),
    (
        "PUT",
        re.compile(r"^/2015-03-31/functions/(?P<fn>[^/]+)/configuration/?$"),
        "UpdateFunctionConfiguration",
    ),
    ("DELETE", re.compile(r"^/2015-03-31/functions/(?P<fn>[^/]+)/?$"), "DeleteFunction"),
    ("POST", re.compile(r"^/2017-03-31/tags/(?P<fn>.+?)/?$"), "TagResource"),
    ("DELETE", re.compile(r"^/2017-03-31/tags/(?P<fn>.+?)/?$"), "UntagResource"),
)
_SERVICE_IN_AUTH = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_KEY_IN_AUTH = re.compile(r"Credential=([^/]+)/")
# What moto answers for credentials it did not issue (moto.sts get_caller_identity's defaults).
_DEFAULT_PRINCIPAL = "moto-default-principal"
_DEFAULT_USER = "moto"

Sink = Callable[[dict[str, Any]], None]


def lambda_call_of(environ: dict[str, Any]) -> tuple[str, str | None] | None:
    """(action, function ref from the path) when the request is one of the recorded Lambda calls."""
    auth = _SERVICE_IN_AUTH.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not auth or auth.group(1) != "lambda":
        return None
    path = unquote(environ.get("PATH_INFO", ""))
    method = environ.get("REQUEST_METHOD", "")
    for want, route, action in _ROUTES:
        m = route.match(path)
        if m and method == want:
            return action, m.groupdict().get("fn")
    return None


class CloudTrailRecorder:
    """WSGI middleware: passes every request through, reports successful Lambda writes to ``sink``."""

    def __init__(self, app: Any, sink: Sink, *, account: str, region: str) -> None:
        self.app = app
        self.sink = sink
        self.account = account
        self.region = region

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        call = lambda_call_of(environ)
        if call is None:
            return self.app(environ, start_response)
        status: list[str] = []

        def recording_start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code)
            return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

        body = b"".join(self.app(environ, recording_start_response))
        if status and status[0][:1] == "2":
            try:
                self.sink(self._event(call, environ, body))
            except Exception:  # the API call succeeded; a recorder fault must not fail it
                log.exception("could not record %s", call[0])
        return [body]

    def _event(self, call: tuple[str, str | None], environ: dict[str, Any], body: bytes) -> dict[str, Any]:
        action, ref = call
        name = function_name_from_ref(ref) if ref else None
        if action == "CreateFunction":
            name = json.loads(body or b"{}").get("FunctionName")
        if not name:
            raise ValueError(f"no function name in {action} {environ.get('PATH_INFO')}")
        arn = f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"
        tag_keys = None
        if action == "UntagResource":
            tag_keys = parse_qs(environ.get("QUERY_STRING", "")).get("tagKeys", [])
        key_match = _KEY_IN_AUTH.search(environ.get("HTTP_AUTHORIZATION", ""))
        access_key = key_match.group(1) if key_match else ""
        actor_arn, principal = self._caller(access_key)
        event = cloudtrail_event(
            action, arn, account=self.account, region=self.region, tag_keys=tag_keys, actor_arn=actor_arn
        )
        event["detail"]["userIdentity"].update(principalId=principal, accessKeyId=access_key)
        return event

    def _caller(self, access_key: str) -> tuple[str, str]:
        """(ARN, principal id) of the IAM user moto holds ``access_key`` for, else moto's default."""
        try:
            from moto.iam.models import iam_backends

            for account_id in list(iam_backends):
                for backend in list(iam_backends[account_id].values()):
                    user = backend.get_user_from_access_key_id(access_key)
                    if user is not None:
                        return user.arn, user.id
        except Exception:  # an identity lookup must never cost the event itself
            log.exception("could not resolve the caller of access key %s", access_key[:4])
        return f"arn:aws:iam::{self.account}:user/{_DEFAULT_USER}", _DEFAULT_PRINCIPAL
