"""Lambda entry point: notices from the FIFO queue become rows; partial failures reported.

Email goes out through SNS only when ``NOTIFICATION_TOPIC_ARN`` is set (on AWS); the row
is written first, so a notice is never emailed without being stored.
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

from common.config import Environ
from lambdas.auction_notifications.notices import email_notice, save_notice
from lambdas.shared.auction_messages import Notice
from lambdas.shared.graphql import client_from_environment
from lambdas.shared.logging import get_logger

logger = get_logger("auction_notifications")
graphql = client_from_environment()
"""The engine client: settings read at import (a missing one fails the cold start, named),
the client built once per warm instance."""
TOPIC_ARN = Environ().optional("NOTIFICATION_TOPIC_ARN")
"""The SNS topic notices are emailed through (AWS); unset: no email."""
processor = SqsFifoPartialProcessor(skip_group_on_error=True)


@cache
def sns() -> Any:
    """The SNS client (only built when email is on)."""
    return boto3.client("sns")


def record_handler(record: SQSRecord) -> None:
    """Store one notice, then email it when a topic is configured and it is new."""
    notice = Notice.from_json(record.body)
    stored = save_notice(graphql(), notice)
    if stored and TOPIC_ARN:
        email_notice(sns(), TOPIC_ARN, notice)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer ``{"batchItemFailures": [...]}``."""
    return dict(process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context))
