"""Every exception leaves the gateway as a gateway error the template can act on.

* A provider SDK call that fails without an API answer (a ``TypeError`` because the installed
  release no longer accepts ``temperature``) is ``ProviderIncompatible``: not retried, fallbacks run.
* Bedrock Converse gets alternating roles (consecutive same-role messages merged).
* A transient Secrets Manager failure is retryable, a missing secret is ``AuthenticationFailed``.
* The gateway's own S3 / Step Functions / Lambda calls raise names the template's ``Retry`` lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber

from agent_templates.states import GATEWAY_RETRYABLE_ERRORS, LAMBDA_SERVICE_ERRORS
from llm_gateway import handler as handler_module
from llm_gateway.errors import (
    AuthenticationFailed,
    GatewayError,
    PlatformCallFailed,
    ProviderIncompatible,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    ToolFunctionError,
)
from llm_gateway.models import GatewayResponse
from llm_gateway.providers.base import Provider, ProviderCall
from llm_gateway.secrets import KeyStore
from tests.llm_gateway.fakes import FakeServer
from tests.llm_gateway.fakes.aws import FakeLambda, FakeS3, FakeStepFunctions, gateway_context, tool
from tests.llm_gateway.fakes.wire import anthropic_reply, bedrock_reply, openai_reply
from tests.llm_gateway.harness import Harness, make_harness
from tool_sdk.content import ContentStore

USER = {"role": "user", "content": "hello"}


@pytest.fixture
def reset_handler() -> Iterator[None]:
    yield
    handler_module.set_gateway(None)
    handler_module.set_platform_clients()


def _install(h: Harness) -> None:
    handler_module.set_gateway(h.gateway)


# -- provider SDK calls ---------------------------------------------------------------------------


@pytest.fixture
def sdk_without_temperature(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ``anthropic`` release whose ``messages.create`` no longer accepts ``temperature``."""
    from anthropic.resources.messages import Messages

    original = Messages.create

    def create(self: Any, **kwargs: Any) -> Any:
        if "temperature" in kwargs:
            raise TypeError("Messages.create() got an unexpected keyword argument 'temperature'")
        return original(self, **kwargs)

    monkeypatch.setattr(Messages, "create", create)


@pytest.mark.usefixtures("sdk_without_temperature", "reset_handler")
def test_a_type_error_from_the_sdk_call_falls_back_without_retrying(
    server: FakeServer, second_server: FakeServer
) -> None:
    h = make_harness({"anthropic": server.url, "openai": second_server.url + "/v1"})
    _install(h)
    second_server.push(openai_reply("from the fallback"))
    event = {"model": "anthropic:c", "fallbacks": ["openai:gpt"], "temperature": 0.2, "messages": [USER]}
    out = handler_module.handler(event, gateway_context())
    assert out["provider"] == "openai" and out["message"]["content"][0]["text"] == "from the fallback"
    assert server.requests == [] and h.sleeps == []  # nothing sent, nothing retried


@pytest.mark.usefixtures("sdk_without_temperature", "reset_handler")
def test_without_a_fallback_the_type_error_is_a_typed_final_error(server: FakeServer) -> None:
    _install(make_harness({"anthropic": server.url}))
    event = {"model": "anthropic:c", "temperature": 0.2, "messages": [USER]}
    with pytest.raises(ProviderIncompatible, match="unexpected keyword argument 'temperature'") as info:
        handler_module.handler(event, gateway_context())
    assert not info.value.retryable and type(info.value).__name__ not in GATEWAY_RETRYABLE_ERRORS
    server.push(anthropic_reply("fine"))  # the same SDK without temperature works
    assert (
        handler_module.handler({**event, "temperature": None}, gateway_context())["provider"] == "anthropic"
    )


class _Broken(Provider):
    """A third-party provider that lets a KeyError escape (it maps nothing itself)."""

    name = "broken"
    needs_api_key = False

    def complete(self, call: ProviderCall) -> GatewayResponse:
        return {}["choices"]  # type: ignore[no-any-return]


def test_an_unmapped_provider_exception_becomes_a_gateway_error_and_falls_back() -> None:
    h = make_harness(providers={"broken": _Broken()})
    assert h.complete(model="broken:x", fallbacks=["offline:default"]).provider == "offline"
    with pytest.raises(ProviderIncompatible, match="KeyError: 'choices'"):
        h.complete(model="broken:x")
    assert h.sleeps == []


def test_bedrock_gets_alternating_roles(server: FakeServer) -> None:
    server.push(bedrock_reply("ok"))
    messages = [
        {"role": "user", "content": "first"},
        {"role": "user", "content": "second"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "42"}]},
        {"role": "user", "content": "and then?"},
        {"role": "assistant", "content": [{"type": "text", "text": ""}]},  # dropped: empty
        {"role": "user", "content": "last"},
    ]
    make_harness({"bedrock": server.url}).complete(model="bedrock:m", messages=messages)
    sent = server.requests[0].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"] == [{"text": "first"}, {"text": "second"}]
    assert sent[2]["content"] == [
        {"toolResult": {"toolUseId": "t1", "content": [{"text": "42"}]}},
        {"text": "and then?"},
        {"text": "last"},
    ]


# -- the key secret -------------------------------------------------------------------------------


def _secret_store(*errors: tuple[str, int], then: dict[str, str] | None = None) -> KeyStore:
    client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    stubber = Stubber(client)
    for code, status in errors:
        stubber.add_client_error("get_secret_value", service_error_code=code, http_status_code=status)
    if then is not None:
        stubber.add_response(
            "get_secret_value",
            {
                "Name": "s",
                "ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s",
                "SecretString": json.dumps(then),
            },
        )
    stubber.activate()
    return KeyStore("/ai-agent/llm-secrets/dev", environ={}, client=client)


def test_a_throttled_secret_read_is_retried(server: FakeServer) -> None:
    h = make_harness({"anthropic": server.url}, keys={})
    h.gateway.keys = _secret_store(("ThrottlingException", 400), then={"ANTHROPIC_API_KEY": "sk-ant-late-1"})
    server.push(anthropic_reply("hi"))
    assert h.complete(model="anthropic:c").provider == "anthropic"
    assert len(h.sleeps) == 1 and "sk-ant-late-1" in str(server.requests[0].headers)


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        ([("InternalServiceError", 500)] * 3, ProviderUnavailable),
        ([("ThrottlingException", 400)] * 3, RateLimited),
    ],
)
def test_a_transient_secret_failure_is_retryable_not_an_authentication_failure(
    errors: list[tuple[str, int]], expected: type[GatewayError]
) -> None:
    h = make_harness(keys={})
    h.gateway.keys = _secret_store(*errors)
    with pytest.raises(expected, match="reading the secret '/ai-agent/llm-secrets/dev' failed") as info:
        h.complete(model="anthropic:c")
    assert type(info.value).__name__ in GATEWAY_RETRYABLE_ERRORS and len(h.sleeps) == 2


def test_an_unreachable_secrets_manager_is_retryable() -> None:
    def fetch(_name: str) -> dict[str, Any]:
        raise EndpointConnectionError(endpoint_url="https://secretsmanager.us-east-1.amazonaws.com")

    h = make_harness(keys={})
    h.gateway.keys = KeyStore("s", environ={}, fetch=fetch)
    with pytest.raises(ProviderUnavailable):
        h.complete(model="anthropic:c")


@pytest.mark.parametrize("code", ["ResourceNotFoundException", "AccessDeniedException"])
def test_a_missing_or_forbidden_secret_is_an_authentication_failure(code: str) -> None:
    h = make_harness(keys={})
    h.gateway.keys = _secret_store((code, 400))
    with pytest.raises(AuthenticationFailed, match=f"reading the secret failed: {code}"):
        h.complete(model="anthropic:c")
    assert h.sleeps == []


# -- the gateway's own AWS calls ------------------------------------------------------------------


@pytest.fixture
def content(reset_handler: None) -> tuple[ContentStore, FakeS3]:
    s3 = FakeS3()
    store = ContentStore("sfa-content-123456789012-us-east-1-dev", client=s3, threshold_bytes=10)
    handler_module.set_platform_clients(store=store, s3=s3)
    return store, s3


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (("SlowDown", 503), RateLimited),
        (("InternalError", 500), ProviderUnavailable),
        (ReadTimeoutError(endpoint_url="https://s3"), ProviderTimeout),
        (("AccessDenied", 403), PlatformCallFailed),
    ],
)
def test_content_bucket_errors_in_an_llm_call_are_gateway_errors(
    content: tuple[ContentStore, FakeS3], failure: Any, expected: type[GatewayError]
) -> None:
    store, s3 = content
    ref = store.put("a long conversation " * 10, kind="text")
    store._cache.clear()
    s3.fail("GetObject", *failure) if isinstance(failure, tuple) else s3.fail("GetObject", failure)
    event = {
        "model": "offline:default",
        "messages": [{"role": "user", "content": [{"type": "text", "text": ref}]}],
    }
    with pytest.raises(expected) as info:
        handler_module.handler(event, gateway_context())
    assert (type(info.value).__name__ in GATEWAY_RETRYABLE_ERRORS) is expected.retryable
    s3.fail("PutObject", "SlowDown", 503)  # offloading the (long) answer fails the same way
    with pytest.raises(RateLimited, match="PutObject: SlowDown"):
        handler_module.handler(event, gateway_context())


@pytest.fixture
def platform(content: tuple[ContentStore, FakeS3]) -> tuple[FakeStepFunctions, FakeLambda, dict[str, Any]]:
    sfn, lam = FakeStepFunctions(), FakeLambda()
    store, s3 = content
    handler_module.set_platform_clients(store=store, s3=s3, stepfunctions=sfn, **{"lambda": lam})
    search = tool("search")
    event = {"sfa_op": "invoke_tool", "function": search.lambda_arn, "input": {}}
    event["execution_arn"] = sfn.start(sfn.deploy("planner", [search]))
    return sfn, lam, event


@pytest.mark.parametrize(
    ("code", "status", "retried_by_the_template"),
    [
        ("TooManyRequestsException", 429, True),
        ("ServiceException", 500, True),
        ("ResourceNotFoundException", 404, False),
    ],
)
def test_a_failed_tool_invoke_has_the_name_a_direct_invoke_would(
    platform: tuple[FakeStepFunctions, FakeLambda, dict[str, Any]],
    code: str,
    status: int,
    retried_by_the_template: bool,
) -> None:
    _, lam, event = platform
    lam.fail("Invoke", code, status)
    with pytest.raises(ToolFunctionError) as info:
        handler_module.handler(event, gateway_context())
    assert type(info.value).__name__ == f"Lambda.{code}"
    assert (type(info.value).__name__ in LAMBDA_SERVICE_ERRORS) is retried_by_the_template


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [("ThrottlingException", 400, RateLimited), ("AccessDeniedException", 400, PlatformCallFailed)],
)
def test_step_functions_errors_of_a_platform_op_are_gateway_errors(
    platform: tuple[FakeStepFunctions, FakeLambda, dict[str, Any]],
    code: str,
    status: int,
    expected: type[GatewayError],
) -> None:
    sfn, lam, event = platform
    sfn.fail("DescribeExecution", code, status)
    with pytest.raises(expected, match=f"DescribeExecution: {code}"):
        handler_module.handler(event, gateway_context())
    sfn.fail("DescribeStateMachine", code, status)
    with pytest.raises(expected, match=f"DescribeStateMachine: {code}"):
        handler_module.handler(event, gateway_context())
    assert lam.calls == []


def test_the_tool_invokers_lambda_client_never_retries_a_slow_tool(reset_handler: None) -> None:
    handler_module.set_platform_clients()
    config = handler_module._client("lambda").meta.config
    assert config.read_timeout > 900 and config.retries["mode"] == "standard"
