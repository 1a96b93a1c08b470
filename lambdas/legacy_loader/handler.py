"""Lambda entry point for the MSK event source mapping of topic ``legacy-user-hashes``."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.data_classes.kafka_event import KafkaEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.legacy_loader.dead_letters import DeadLetters
from lambdas.legacy_loader.load import load_batch
from lambdas.legacy_loader.settings import LoaderSettings
from lambdas.legacy_loader.staging import HashStaging
from lambdas.shared.logging import get_logger

logger = get_logger("legacy_loader")
SETTINGS = LoaderSettings.from_environment()
"""Read at import, so a missing setting fails the cold start with its name."""


@cache
def staging() -> HashStaging:
    """The staged-user table, opened once per warm instance."""
    return HashStaging(boto3.client("dynamodb"), SETTINGS.table)


@cache
def dead_letters() -> DeadLetters:
    """The dead-letter queue, opened once per warm instance."""
    return DeadLetters(boto3.client("sqs"), SETTINGS.dead_letter_url)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Stage the batch's users; answers the counts."""
    result = load_batch(KafkaEvent(event).records, staging(), dead_letters())
    for bad in result.malformed:
        logger.warning("malformed record sent to the dead-letter queue", extra={
            "topic": bad.topic, "partition": bad.partition, "offset": bad.offset,
            "reason": bad.reason})
    logger.info("batch loaded", extra=result.as_dict())
    return result.as_dict()
