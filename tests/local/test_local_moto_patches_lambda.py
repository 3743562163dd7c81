"""Lambda quirks worked around in local/moto_patches/_lambda.py (invocations: test_local_lambda_runner)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from local.testing import build_zip


def code(answer: str) -> dict[str, str]:
    return {"app.py": f"def handler(event, context):\n    return {answer!r}\n"}


def test_publish_version_honours_the_code_sha256_precondition(aws, make_function):
    """moto ignored PublishVersion's CodeSha256: AWS refuses to version code other than $LATEST's."""
    lam = aws.client("lambda")
    first = make_function("versioned", code("a"), "app.handler")["CodeSha256"]
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName="versioned", CodeSha256="not-the-deployed-code")
    error = exc.value.response
    assert error["Error"]["Code"] == "PreconditionFailedException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert error["Error"]["Message"] == (
        f"CodeSha256 (not-the-deployed-code) is different from current CodeSha256 in $LATEST "
        f"({first}). Please try again with the current CodeSha256."
    )
    listed = lam.list_versions_by_function(FunctionName="versioned")["Versions"]
    assert [v["Version"] for v in listed] == ["$LATEST"]  # nothing was published

    assert lam.publish_version(FunctionName="versioned", CodeSha256=first)["Version"] == "1"
    # a concurrent deployment replaced the code: publishing "my" code must fail, not version theirs
    second = lam.update_function_code(FunctionName="versioned", ZipFile=build_zip(code("b")))["CodeSha256"]
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName="versioned", CodeSha256=first)
    assert exc.value.response["Error"]["Code"] == "PreconditionFailedException"
    published = lam.publish_version(FunctionName="versioned", CodeSha256=second)
    assert published["Version"] == "2" and published["CodeSha256"] == second
    # by ARN too
    arn = lam.get_function(FunctionName="versioned")["Configuration"]["FunctionArn"]
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName=arn, CodeSha256=first)
    assert exc.value.response["Error"]["Code"] == "PreconditionFailedException"


def test_publish_version_revision_id_is_ignored_while_moto_has_none(aws, make_function):
    """moto keeps no RevisionId, so that precondition cannot be checked locally (AWS checks it)."""
    lam = aws.client("lambda")
    make_function("revised", code("a"), "app.handler")
    # Canary: when moto starts returning RevisionId, the patch enforces it (and this test must change).
    assert "RevisionId" not in lam.get_function(FunctionName="revised")["Configuration"]
    assert lam.publish_version(FunctionName="revised", RevisionId="any-revision")["Version"] == "1"


def test_publish_version_of_an_unknown_function_is_not_found(aws):
    with pytest.raises(ClientError) as exc:
        aws.client("lambda").publish_version(FunctionName="nobody", CodeSha256="x")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
