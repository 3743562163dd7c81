"""A content reference must name its object exactly: the random part of the key is checked, the
content hash alone obtains nothing (not even from the per-process cache)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from llm_gateway import handler as handler_module
from llm_gateway.errors import InvalidRequest
from tests.llm_gateway.fakes.aws import FakeLambda, FakeS3, FakeStepFunctions, gateway_context, tool
from tool_sdk.content import ContentStore
from tool_sdk.errors import ContentIntegrityError, ContentNotFoundError

SECRET = "the quarterly numbers: " + "x" * 100


def _forged(ref: dict[str, Any]) -> dict[str, Any]:
    """The same sha256 (and so the same key prefix) with another random part."""
    url, _, random = ref["$ref"].rpartition("/")
    other = format(int(random, 16) ^ 1, "032x")
    return {**ref, "$ref": f"{url}/{other}"}


@pytest.fixture
def store() -> Iterator[ContentStore]:
    s3 = FakeS3()
    store = ContentStore("sfa-content-123456789012-us-east-1-dev", client=s3, threshold_bytes=10)
    handler_module.set_platform_clients(store=store, s3=s3)
    yield store
    handler_module.set_platform_clients()


def test_a_known_hash_with_another_random_part_is_not_found_even_when_cached(store: ContentStore) -> None:
    ref = store.put(SECRET)
    forged = _forged(ref)
    assert forged["sha256"] == ref["sha256"] and store.validate(forged)  # well-formed: passes the shape
    with pytest.raises(ContentNotFoundError):
        store.get(forged)
    assert store.get(ref) == SECRET
    s3: Any = store.client
    assert s3.count("GetObject") == 1  # the forged key went to S3; the real one came from the cache


def test_the_cached_object_still_checks_the_references_size(store: ContentStore) -> None:
    ref = store.put(SECRET)
    with pytest.raises(ContentIntegrityError):
        store.get({**ref, "bytes": ref["bytes"] + 1})


def test_a_reference_whose_kind_does_not_match_its_content_is_an_integrity_error(store: ContentStore) -> None:
    ref = store.put("not json {")
    store._cache.clear()
    with pytest.raises(ContentIntegrityError, match="not json content"):
        store.get({**ref, "kind": "json"})


def _llm_request(content: Any) -> dict[str, Any]:
    return {
        "model": "offline:default",
        "messages": [
            {"role": "user", "content": "look it up"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": content}]},
        ],
    }


def test_the_gateway_resolves_the_exact_reference_and_refuses_a_forged_one(store: ContentStore) -> None:
    ref = store.put(SECRET)
    answer = handler_module.handler(_llm_request(ref), gateway_context())
    assert SECRET in store.resolve(answer["message"]["content"][0]["text"])
    with pytest.raises(InvalidRequest, match="no such object"):
        handler_module.handler(_llm_request(_forged(ref)), gateway_context())


def test_the_tool_invoker_passes_no_content_for_a_forged_reference(store: ContentStore) -> None:
    sfn, lam = FakeStepFunctions(), FakeLambda()
    handler_module.set_platform_clients(store=store, s3=store.client, stepfunctions=sfn, **{"lambda": lam})
    search = tool("search")
    run = sfn.start(sfn.deploy("planner", [search]))
    ref = store.put(SECRET)
    event = {"sfa_op": "invoke_tool", "function": search.lambda_arn, "execution_arn": run}
    result = handler_module.handler({**event, "input": {"doc": ref}}, gateway_context())
    assert json.loads(store.resolve(result)) == {"echo": {"doc": SECRET}}
    with pytest.raises(ContentNotFoundError):
        handler_module.handler({**event, "input": {"doc": _forged(ref)}}, gateway_context())
    assert len(lam.calls) == 1
