"""The auction system's AWS resources in moto: FIFO queues with DLQs, DynamoDB tables.

The same shapes as ``infra/terraform/modules/auctions``: ``bid-persistence-queue.fifo`` and
``notification-queue.fifo``, each with a ``-dlq.fifo`` dead-letter queue and a redrive
policy; ``bids_history`` (HASH ``auction_id``, RANGE ``timestamp#user_id``, GSI
``user_id-timestamp-index``, TTL on ``ttl_expiry``) and ``chat_messages``.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

from devstack.event_sources.config import EventSourceMapping
from devstack.services.moto import client

BID_QUEUE = "bid-persistence-queue.fifo"
NOTIFICATION_QUEUE = "notification-queue.fifo"
BIDS_TABLE = "bids_history"
CHAT_TABLE = "chat_messages"


@dataclass(frozen=True)
class QueueShape:
    """Visibility timeout and receives before the DLQ (tests shorten both)."""

    visibility_timeout: int = 30
    max_receive_count: int = 5


def dlq_name(queue: str) -> str:
    """``x.fifo`` → ``x-dlq.fifo`` (a FIFO queue's DLQ must be FIFO too)."""
    return queue.removesuffix(".fifo") + "-dlq.fifo"


def create_queue(sqs: object, name: str, shape: QueueShape) -> str:
    """A FIFO queue and its DLQ with a redrive policy; returns the queue's URL."""
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "true",
            "MessageRetentionPeriod": "86400"}
    dlq_url = sqs.create_queue(  # type: ignore[attr-defined]
        QueueName=dlq_name(name), Attributes={**fifo, "MessageRetentionPeriod": "1209600"}
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(  # type: ignore[attr-defined]
        QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url: str = sqs.create_queue(QueueName=name, Attributes={  # type: ignore[attr-defined]
        **fifo, "VisibilityTimeout": str(shape.visibility_timeout),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                     "maxReceiveCount": shape.max_receive_count}),
    })["QueueUrl"]
    return url


def create_tables(dynamodb: object) -> None:
    """``bids_history`` (GSI, TTL) and ``chat_messages``; existing tables are kept."""
    with contextlib.suppress(dynamodb.exceptions.ResourceInUseException):  # type: ignore[attr-defined]
        dynamodb.create_table(  # type: ignore[attr-defined]
            TableName=BIDS_TABLE,
            KeySchema=[{"AttributeName": "auction_id", "KeyType": "HASH"},
                       {"AttributeName": "timestamp#user_id", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "auction_id", "AttributeType": "S"},
                {"AttributeName": "timestamp#user_id", "AttributeType": "S"},
                {"AttributeName": "user_id", "AttributeType": "S"},
                {"AttributeName": "timestamp", "AttributeType": "N"},
            ],
            GlobalSecondaryIndexes=[{
                "IndexName": "user_id-timestamp-index",
                "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"},
                              {"AttributeName": "timestamp", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.update_time_to_live(  # type: ignore[attr-defined]
            TableName=BIDS_TABLE,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl_expiry"},
        )
    with contextlib.suppress(dynamodb.exceptions.ResourceInUseException):  # type: ignore[attr-defined]
        dynamodb.create_table(  # type: ignore[attr-defined]
            TableName=CHAT_TABLE,
            KeySchema=[{"AttributeName": "auction_id", "KeyType": "HASH"},
                       {"AttributeName": "timestamp#message_id", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "auction_id", "AttributeType": "S"},
                {"AttributeName": "timestamp#message_id", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )


def create_auction_resources(endpoint_url: str, region: str,
                             shape: QueueShape | None = None) -> dict[str, str]:
    """Queues, DLQs and tables in moto; returns queue name → URL."""
    shape = shape or QueueShape()
    with contextlib.closing(client("sqs", endpoint_url, region)) as sqs:
        urls = {name: create_queue(sqs, name, shape) for name in (BID_QUEUE, NOTIFICATION_QUEUE)}
    with contextlib.closing(client("dynamodb", endpoint_url, region)) as dynamodb:
        create_tables(dynamodb)
    return urls


def auction_mappings() -> tuple[EventSourceMapping, ...]:
    """The two SQS → Lambda mappings (batch 10, partial batch failures reported)."""
    return (
        EventSourceMapping(BID_QUEUE, "bid_persistence", batch_size=10),
        EventSourceMapping(NOTIFICATION_QUEUE, "auction_notifications", batch_size=10),
    )
