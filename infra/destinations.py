"""Failure destinations that grant exactly ``sqs:SendMessage``.

CDK's ``SqsDestination`` and ``SqsDlq`` grant ``grantSendMessages`` (``SendMessage`` plus
``GetQueueAttributes`` and ``GetQueueUrl``). Lambda only sends: these bind the same queue with
the one action it uses. Queues are SQS-managed SSE, so no KMS grant is needed.
"""

from __future__ import annotations

import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

__all__ = ["SendOnlyQueueDestination", "SendOnlyStreamDlq", "send_statement"]


def send_statement(queue: sqs.IQueue) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid="SendFailuresToDlq", actions=["sqs:SendMessage"], resources=[queue.queue_arn]
    )


@jsii.implements(lambda_.IDestination)
class SendOnlyQueueDestination:
    """Async-invocation on-failure destination (like ``SqsDestination``), send-only."""

    def __init__(self, queue: sqs.IQueue) -> None:
        self.queue = queue

    def bind(
        self, scope: Construct, fn: lambda_.IFunction, *, type: lambda_.DestinationType
    ) -> lambda_.DestinationConfig:
        fn.add_to_role_policy(send_statement(self.queue))
        return lambda_.DestinationConfig(destination=self.queue.queue_arn)


@jsii.implements(lambda_.IEventSourceDlq)
class SendOnlyStreamDlq:
    """Stream event-source on-failure destination (like ``SqsDlq``), send-only.

    Share one instance between the sources of a function: it grants on the first bind only.
    """

    def __init__(self, queue: sqs.IQueue) -> None:
        self.queue = queue
        self._granted: set[str] = set()

    def bind(
        self, target: lambda_.IEventSourceMapping, target_handler: lambda_.IFunction
    ) -> lambda_.DlqDestinationConfig:
        key = target_handler.node.addr
        if key not in self._granted:
            self._granted.add(key)
            target_handler.add_to_role_policy(send_statement(self.queue))
        return lambda_.DlqDestinationConfig(destination=self.queue.queue_arn)
