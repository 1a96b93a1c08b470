"""Lambda entry point: a batch of bids from the FIFO queue, partial failures reported.

Powertools' FIFO processor stops a message group at its first failure and reports the rest
of that group as failed too, so SQS never redelivers a group out of order; other groups
in the batch go on. A record that keeps failing reaches the queue's DLQ after
``maxReceiveCount`` receives.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import (
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.bid_persistence.history import store_bid
from lambdas.bid_persistence.settings import BidPersistenceSettings
from lambdas.shared.auction_messages import BidRecord
from lambdas.shared.logging import get_logger

logger = get_logger("bid_persistence")
SETTINGS = BidPersistenceSettings.from_environment()
"""Read at import, so a malformed setting fails the cold start with its name."""
processor = SqsFifoPartialProcessor(skip_group_on_error=True)


@cache
def table() -> Any:
    """The bids table, opened once per warm instance."""
    return boto3.resource("dynamodb").Table(SETTINGS.table)


def record_handler(record: SQSRecord) -> None:
    """Store one bid; a malformed body raises (the record fails and ends in the DLQ)."""
    bid = BidRecord.from_json(record.body)
    written = store_bid(table(), bid, SETTINGS.ttl_days)
    if not written:
        logger.info("bid already stored", extra={"bid_id": bid.bid_id})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer ``{"batchItemFailures": [...]}``."""
    return dict(process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context))
