"""Lambda entry point: a batch of bids from the FIFO queue, partial failures reported.

Powertools' FIFO processor stops a message group at its first failure and reports the rest
of that group as failed too, so SQS never redelivers a group out of order; other groups
in the batch go on. A record that keeps failing reaches the queue's DLQ after
``maxReceiveCount`` receives.
"""

from __future__ import annotations

import os
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
from lambdas.shared.auction_messages import BidRecord
from lambdas.shared.logging import get_logger

logger = get_logger("bid_persistence")
processor = SqsFifoPartialProcessor(skip_group_on_error=True)


@cache
def table() -> Any:
    """``DYNAMODB_BIDS_TABLE`` (default ``bids_history``), resolved once per warm instance."""
    name = os.environ.get("DYNAMODB_BIDS_TABLE", "bids_history")
    return boto3.resource("dynamodb").Table(name)


def ttl_days() -> int:
    """Days a bid is kept (``BID_HISTORY_TTL_DAYS``, default 90)."""
    return int(os.environ.get("BID_HISTORY_TTL_DAYS", "90"))


def record_handler(record: SQSRecord) -> None:
    """Store one bid; a malformed body raises (the record fails and ends in the DLQ)."""
    bid = BidRecord.from_json(record.body)
    written = store_bid(table(), bid, ttl_days())
    if not written:
        logger.info("bid already stored", extra={"bid_id": bid.bid_id})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer ``{"batchItemFailures": [...]}``."""
    return dict(process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context))
