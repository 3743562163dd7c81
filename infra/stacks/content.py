"""The content bucket: large payloads stored by reference (docs/large-payloads.md).

``sfa-content-{account}-{region}-{env}`` (``control_plane.deployment.content_bucket_name``, with the
stack's account/region tokens, so the gateway stack derives the same name without an export).
Encrypted (S3-managed), TLS-only, private, unversioned (objects are immutable, content-addressed and
short-lived: versions would only keep expired payloads), objects under ``content/`` expire after
``expiration_days``; server access logs go to a second private bucket.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.buckets import access_log_bucket, private_bucket_settings
from infra.contracts import names

__all__ = ["ContentBucket", "content_bucket_name_token", "content_objects_arn"]

_DAYS_90 = cdk.Duration.days(90)


def content_bucket_name_token(env: str) -> str:
    """The content bucket's name with the deploying stack's account and region (tokens)."""
    return names.content_bucket_name(cdk.Aws.ACCOUNT_ID, cdk.Aws.REGION, env)


def content_objects_arn(stack: cdk.Stack, env: str) -> str:
    """``arn:{partition}:s3:::sfa-content-…-{env}/content/*``: the only keys references may name."""
    return stack.format_arn(
        service="s3",
        region="",
        account="",
        resource=content_bucket_name_token(env),
        resource_name=f"{names.CONTENT_PREFIX}/*",
    )


class ContentBucket(Construct):
    """Attributes: ``bucket``, ``access_log_bucket``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env: str,
        expiration_days: int = names.CONTENT_EXPIRATION_DAYS,
        access_log_retention: cdk.Duration = _DAYS_90,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if expiration_days < 1:
            raise ValueError("content expiration_days must be at least 1")
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        self.access_log_bucket = access_log_bucket(
            self,
            "AccessLogs",
            retention=access_log_retention,
            removal_policy=removal_policy,
            logged="content",
        )
        expire = s3.LifecycleRule(
            id="expire-offloaded-content",
            prefix=f"{names.CONTENT_PREFIX}/",
            expiration=cdk.Duration.days(expiration_days),
            abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=content_bucket_name_token(env),
            versioned=False,
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix="content-bucket/",
            **private_bucket_settings(removal_policy, [expire]),
        )
