"""The content bucket (large payloads by reference) and the regenerator's offload switch."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.conftest import Synth
from tests.infra.helpers import by_name, resources


def _name(env: str) -> dict[str, Any]:
    return {
        "Fn::Join": ["", ["sfa-content-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}, f"-{env}"]]
    }


def _content_bucket(template: dict[str, Any], env: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (k, r)
        for k, r in resources(template, "AWS::S3::Bucket").items()
        if r["Properties"].get("BucketName") == _name(env)
    ]
    return found


def test_content_bucket_private_encrypted_expiring_logged(platform: Synth) -> None:
    dev = platform.templates["sfa-shared-dev"]
    bucket_id, bucket = _content_bucket(dev, "dev")
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "Retain"
    assert props["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "VersioningConfiguration" not in props
    assert props["LifecycleConfiguration"] == {
        "Rules": [
            {
                "Id": "expire-offloaded-content",
                "Prefix": "content/",
                "ExpirationInDays": 30,
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                "Status": "Enabled",
            }
        ]
    }
    assert props["LoggingConfiguration"]["LogFilePrefix"] == "content-bucket/"
    log_bucket = props["LoggingConfiguration"]["DestinationBucketName"]["Ref"]
    assert resources(dev, "AWS::S3::Bucket")[log_bucket]["Properties"]["LifecycleConfiguration"]
    Template.from_json(dev).has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            },
        },
    )


def test_content_expiry_from_props(platform: Synth) -> None:
    _, bucket = _content_bucket(platform.templates["sfa-shared-ci"], "ci")
    assert bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 7


def test_regenerator_renders_with_offload_when_the_bucket_is_set(platform: Synth) -> None:
    dev = platform.templates["sfa-shared-dev"]
    _, fn = by_name(dev, "AWS::Lambda::Function", "sfa-regenerator-dev")
    assert fn["Properties"]["Environment"]["Variables"]["SFA_CONTENT_BUCKET"] == _name("dev")


def test_the_bucket_switches_offload_on_unless_the_options_say_otherwise() -> None:
    from control_plane.regenerator.config import RegeneratorConfig

    base = {"AWS_REGION": "us-east-1", "SFA_ACCOUNT_ID": "123456789012", "SFA_ENV": "dev"}
    bucket = {"SFA_CONTENT_BUCKET": "sfa-content-123456789012-us-east-1-dev"}
    assert not RegeneratorConfig.from_env(base).render_options.offload
    assert RegeneratorConfig.from_env({**base, **bucket}).render_options.offload
    explicit = {**base, **bucket, "SFA_AGENT_RENDER_OPTIONS": '{"offload": false}'}
    assert not RegeneratorConfig.from_env(explicit).render_options.offload
