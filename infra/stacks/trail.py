"""An optional CloudTrail trail for accounts that have none.

EventBridge receives "AWS API Call via CloudTrail" events only while a trail logs management
events in the region; without one the registrar never fires and only the reconciler's schedule
registers tools. Most organisations already run an organisation trail: then leave this off
(``create_trail=False``, the default) — a second trail only duplicates cost.

The trail is single-region, write-only management events (Lambda's Create/Update/Tag calls are
writes), with log-file validation, into an encrypted, TLS-only, private bucket whose access is
logged to a second bucket. Objects expire after ``retention``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.buckets import access_log_bucket, private_bucket_settings
from infra.nag import acknowledge

__all__ = ["LambdaApiTrail"]

_DAYS_90 = cdk.Duration.days(90)


class LambdaApiTrail(Construct):
    """Trail ``sfa-lambda-api-{env}`` and its buckets.

    Attributes: ``trail``, ``bucket``, ``access_log_bucket``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env: str,
        retention: cdk.Duration = _DAYS_90,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        # Grant log delivery with a bucket policy (not the legacy LogDeliveryWrite ACL, which
        # ACL-disabled buckets reject): the CDK feature flag, set for this subtree only.
        self.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
        self.access_log_bucket = access_log_bucket(
            self, "AccessLogs", retention=retention, removal_policy=removal_policy, logged="trail"
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix="trail-bucket/",
            **private_bucket_settings(removal_policy, [s3.LifecycleRule(expiration=retention)]),
        )
        self.trail = cloudtrail.Trail(
            self,
            "Trail",
            trail_name=f"sfa-lambda-api-{env}",
            bucket=self.bucket,  # type: ignore[arg-type]
            is_multi_region_trail=False,
            include_global_service_events=False,
            management_events=cloudtrail.ReadWriteType.WRITE_ONLY,
            enable_file_validation=True,
            send_to_cloud_watch_logs=False,
        )
        acknowledge(
            self.trail,
            "CT1",
            "The trail exists only so that EventBridge receives Lambda API calls; the registry bus "
            "and the registrar's logs record what matters. Add CloudWatch Logs delivery (or use an "
            "organisation trail) for a security audit trail.",
        )
