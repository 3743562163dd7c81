"""Dead-letter queues and alarms: every failure path ends in a queue, and every queue is watched.

Alarms fire on the first failed record or invocation (``>= 1`` in 5 minutes): in a control plane a
single lost registry change is a wrong agent. Actions go to ``alarm_topic`` when one is given
(the platform does not create a topic: CloudWatch cannot publish to an SNS topic encrypted with the
AWS managed key, so a compliant topic needs a customer managed KMS key — the user's choice).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge

__all__ = [
    "alias_alarms",
    "dead_letter_queue",
    "function_alarms",
    "iterator_age_alarm",
    "queue_alarm",
    "work_queue",
]

DLQ_RETENTION = cdk.Duration.days(14)


def dead_letter_queue(scope: Construct, construct_id: str, queue_name: str) -> sqs.Queue:
    """An encrypted (SQS-managed SSE), TLS-only queue that keeps messages 14 days (the maximum)."""
    queue = sqs.Queue(
        scope,
        construct_id,
        queue_name=queue_name,
        retention_period=DLQ_RETENTION,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
    )
    acknowledge(
        queue,
        "SQS3",
        "This queue is itself a dead-letter queue (Lambda on-failure destination / EventBridge "
        "target DLQ); a DLQ of a DLQ would only move the problem. Its depth is alarmed.",
    )
    return queue


def work_queue(
    scope: Construct,
    construct_id: str,
    queue_name: str,
    *,
    visibility_timeout: cdk.Duration,
    retention_period: cdk.Duration,
    max_receive_count: int = 5,
) -> tuple[sqs.Queue, sqs.Queue]:
    """An encrypted, TLS-only queue and its dead-letter queue (``{queue_name}-dlq``, after
    ``max_receive_count`` receives): ``(queue, dlq)``."""
    dlq = dead_letter_queue(scope, f"{construct_id}Dlq", f"{queue_name}-dlq")
    queue = sqs.Queue(
        scope,
        construct_id,
        queue_name=queue_name,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        visibility_timeout=visibility_timeout,
        retention_period=retention_period,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=max_receive_count, queue=dlq),
    )
    return queue, dlq


def iterator_age_alarm(
    scope: Construct, construct_id: str, function: lambda_.Function, description: str
) -> cloudwatch.Alarm:
    """A stream consumer lags behind its streams by over 5 minutes (maximum ``IteratorAge``)."""
    return cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_description=description,
        metric=function.metric("IteratorAge", period=cdk.Duration.minutes(5), statistic="Maximum"),
        threshold=300_000,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )


def _act(alarm: cloudwatch.Alarm, topic: sns.ITopic | None) -> cloudwatch.Alarm:
    if topic is not None:
        alarm.add_alarm_action(cw_actions.SnsAction(topic))  # type: ignore[arg-type]
    return alarm


def queue_alarm(
    scope: Construct, construct_id: str, queue: sqs.Queue, topic: sns.ITopic | None
) -> cloudwatch.Alarm:
    """Alarm as soon as a message waits in ``queue``."""
    return _act(
        cloudwatch.Alarm(
            scope,
            construct_id,
            alarm_description=f"Messages are waiting in the dead-letter queue {queue.queue_name}.",
            metric=queue.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(5), statistic="Maximum"
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        ),
        topic,
    )


def function_alarms(
    scope: Construct, construct_id: str, function: lambda_.IFunction, topic: sns.ITopic | None
) -> list[cloudwatch.Alarm]:
    """Errors and throttles of ``function`` (any in 5 minutes)."""
    metrics = (
        ("Errors", function.metric_errors(period=cdk.Duration.minutes(5), statistic="Sum")),
        ("Throttles", function.metric_throttles(period=cdk.Duration.minutes(5), statistic="Sum")),
    )
    return _alarms(scope, construct_id, function.function_name, metrics, topic)


def alias_alarms(
    scope: Construct, construct_id: str, function_name: str, alias_name: str, topic: sns.ITopic | None
) -> list[cloudwatch.Alarm]:
    """Errors and throttles of an alias, by literal names: a CodeDeploy deployment group watches
    these alarms and the alias's update policy names the group, so alarms must not reference the
    alias resource (that would be a dependency cycle)."""
    dimensions = {"FunctionName": function_name, "Resource": f"{function_name}:{alias_name}"}
    metrics = tuple(
        (
            kind,
            cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name=kind,
                dimensions_map=dimensions,
                period=cdk.Duration.minutes(5),
                statistic="Sum",
            ),
        )
        for kind in ("Errors", "Throttles")
    )
    return _alarms(scope, construct_id, f"{function_name}:{alias_name}", metrics, topic)


def _alarms(
    scope: Construct,
    construct_id: str,
    subject: str,
    metrics: tuple[tuple[str, cloudwatch.IMetric], ...],
    topic: sns.ITopic | None,
) -> list[cloudwatch.Alarm]:
    alarms = []
    for kind, metric in metrics:
        alarms.append(
            _act(
                cloudwatch.Alarm(
                    scope,
                    f"{construct_id}{kind}",
                    alarm_description=f"{kind} of {subject}.",
                    metric=metric,
                    threshold=1,
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                ),
                topic,
            )
        )
    return alarms
