"""Keys: environment first, then the Secrets Manager secret through Powertools (cached)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from llm_gateway.errors import AuthenticationFailed
from llm_gateway.secrets import KeyStore, redact

NAME = "/ai-agent/llm-secrets/test"


def _stubbed_client(secret: dict[str, str], times: int = 1) -> tuple[object, Stubber]:
    client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    stubber = Stubber(client)
    for _ in range(times):
        stubber.add_response(
            "get_secret_value",
            {
                "Name": NAME,
                "ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
                "SecretString": json.dumps(secret),
            },
            {"SecretId": NAME},
        )
    stubber.activate()
    return client, stubber


def test_reads_the_secret_through_powertools_once_and_caches_it() -> None:
    client, stubber = _stubbed_client(
        {"OPENAI_API_KEY": "sk-from-secrets-manager-1", "ANTHROPIC_API_KEY": "sk-ant-2x"}
    )
    store = KeyStore(NAME, environ={}, client=client)
    assert store.get("openai") == "sk-from-secrets-manager-1"
    assert store.get("anthropic") == "sk-ant-2x"  # served from the Powertools cache
    stubber.assert_no_pending_responses()


def test_environment_overrides_the_secret() -> None:
    client, stubber = _stubbed_client({"OPENAI_API_KEY": "sk-from-secrets-manager-1"})
    store = KeyStore(NAME, environ={"OPENAI_API_KEY": "sk-local-override-1"}, client=client)
    assert store.get("openai") == "sk-local-override-1"
    assert len(stubber._queue) == 1  # Secrets Manager was not called


def test_missing_key_message() -> None:
    store = KeyStore(NAME, environ={}, fetch=lambda name: {"OTHER": "x"})
    with pytest.raises(AuthenticationFailed) as info:
        store.get("gemini")
    assert str(info.value) == (
        "gemini: no API key for provider 'gemini': set GEMINI_API_KEY or GOOGLE_API_KEY in the "
        "environment (local use), or add a 'GEMINI_API_KEY' entry to the JSON secret "
        "'/ai-agent/llm-secrets/test' in AWS Secrets Manager"
    )


def test_redaction() -> None:
    KeyStore(NAME, environ={"ANTHROPIC_API_KEY": "plain-key-without-shape"}).get("anthropic")
    text = (
        "keys plain-key-without-shape sk-proj-abcdef123 AIzaSyA1234567890abc Bearer tok.en-123456 task-force"
    )
    assert redact(text) == "keys [REDACTED] [REDACTED] [REDACTED] [REDACTED] task-force"
