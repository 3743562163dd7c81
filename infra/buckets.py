"""Private S3 buckets: encrypted (S3-managed), TLS-only, public access blocked, ACLs disabled,
objects expiring — and their server access logs in a second such bucket (cdk-nag S1).

Used by the trail (:mod:`infra.stacks.trail`) and the content bucket (:mod:`infra.stacks.content`).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge

__all__ = ["access_log_bucket", "private_bucket_settings"]


def private_bucket_settings(
    removal_policy: cdk.RemovalPolicy, lifecycle_rules: list[s3.LifecycleRule]
) -> dict[str, Any]:
    """``s3.Bucket`` keyword arguments shared by every platform bucket."""
    return {
        "encryption": s3.BucketEncryption.S3_MANAGED,
        "enforce_ssl": True,
        "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
        "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        "removal_policy": removal_policy,
        "lifecycle_rules": lifecycle_rules,
    }


def access_log_bucket(
    scope: Construct,
    construct_id: str,
    *,
    retention: cdk.Duration,
    removal_policy: cdk.RemovalPolicy,
    logged: str,
) -> s3.Bucket:
    """A bucket for ``logged``'s server access logs (itself not logged: that would recurse).

    Log delivery is granted by a bucket policy (not the legacy LogDeliveryWrite ACL, which
    ACL-disabled buckets reject): set ``@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`` on the
    scope that holds both buckets before creating them.
    """
    bucket = s3.Bucket(
        scope,
        construct_id,
        **private_bucket_settings(removal_policy, [s3.LifecycleRule(expiration=retention)]),
    )
    acknowledge(
        bucket,
        "S1",
        f"This bucket receives the {logged} bucket's server access logs; logging it would recurse.",
    )
    return bucket
