"""Lambda: real handler runs, ``Invoke`` qualifiers, and ``PublishVersion`` preconditions."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from local.lambda_runner import LambdaRunner, invoke_from_moto
from local.moto_patches._registry import original, patch, state

__all__ = ["apply"]


def apply() -> None:
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda.responses import LambdaResponse
    from moto.awslambda_simple.models import LambdaSimpleBackend

    patch(LambdaSimpleBackend, "invoke", _backend_invoke)
    patch(LambdaFunction, "invoke", _function_invoke)
    patch(LambdaResponse, "invoke", _response_invoke)
    patch(LambdaResponse, "publish_version", _publish_version)


def _response_invoke(self: Any) -> Any:
    from moto.awslambda.responses import LambdaResponse

    # Quirk: moto reads the parameter "qualifier" — boto3 sends "Qualifier" (so Invoke with a
    # Qualifier ran $LATEST) and, absent from the query, moto took it from the *event payload*
    # (an event with a "qualifier" key broke the call). Answer from the query string only.
    self.querystring["qualifier"] = [self.querystring.get("Qualifier", [None])[0]]
    return original(LambdaResponse, "invoke")(self)


def _publish_version(self: Any) -> Any:
    """Quirk: moto ignores ``PublishVersion``'s ``CodeSha256``/``RevisionId`` preconditions.

    AWS refuses to publish (412 ``PreconditionFailedException``) when either is given and differs
    from ``$LATEST``'s: that is how a publisher makes sure it versions the code it deployed, not a
    concurrent deployment's. moto keeps no revision id (``RevisionId`` is absent from its function
    configurations), so a ``RevisionId`` precondition cannot be checked and is ignored while
    moto's is None.
    """
    from moto.awslambda.exceptions import PreconditionFailedException
    from moto.awslambda.responses import LambdaResponse

    latest = self.backend.get_function(unquote(self.path.split("/")[-2]))  # 404 for unknown names
    wanted_sha = self._get_param("CodeSha256")
    if wanted_sha and wanted_sha != latest.code_sha_256:
        raise PreconditionFailedException(
            f"CodeSha256 ({wanted_sha}) is different from current CodeSha256 in $LATEST "
            f"({latest.code_sha_256}). Please try again with the current CodeSha256."
        )
    wanted_revision = self._get_param("RevisionId")
    current_revision = getattr(latest, "revision_id", None)
    if wanted_revision and current_revision is not None and wanted_revision != current_revision:
        raise PreconditionFailedException(
            "The Revision Id provided does not match the latest Revision Id. "
            "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
        )
    return original(LambdaResponse, "publish_version")(self)


def _backend_invoke(
    self: Any,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Any,
    response_headers: dict[str, Any],
) -> bytes:
    # Quirk: the simple backend answers for any function name (echo). Look the function up
    # (ResourceNotFoundException for unknown names, as AWS) and run it.
    function = self.get_function(function_name, qualifier)
    payload = function.invoke(body, headers, response_headers)
    response_headers["Content-Length"] = str(len(payload))
    return payload


def _function_invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
    # Quirk: without Docker moto never runs Lambda code. Every invoke path (Invoke API, Step
    # Functions tasks, SNS/SQS/EventBridge deliveries) ends here: run the real handler.
    runner: LambdaRunner | None = state["runner"]
    if runner is None:  # unreachable while applied; remove() restores moto's method
        raise RuntimeError("the local Lambda runner is not running")
    return invoke_from_moto(runner, self, body, request_headers, response_headers)
