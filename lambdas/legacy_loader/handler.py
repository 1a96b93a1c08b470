"""Lambda entry point for the MSK event source mapping of topic ``legacy-user-hashes``."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.data_classes.kafka_event import KafkaEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.legacy_loader.dead_letters import DeadLetters
from lambdas.legacy_loader.load import load_batch
from lambdas.legacy_loader.staging import HashStaging
from lambdas.shared.logging import get_logger

logger = get_logger("legacy_loader")
DEFAULT_TABLE = "StandaloneUserHashes"


@cache
def staging() -> HashStaging:
    """The table (``USER_HASHES_TABLE``), opened once per warm instance."""
    return HashStaging(boto3.client("dynamodb"),
                       os.environ.get("USER_HASHES_TABLE") or DEFAULT_TABLE)


@cache
def dead_letters() -> DeadLetters:
    """The dead-letter queue (``LOADER_DLQ_URL``, required)."""
    url = os.environ.get("LOADER_DLQ_URL")
    if not url:
        raise RuntimeError("setting LOADER_DLQ_URL is required (the dead-letter queue's URL)")
    return DeadLetters(boto3.client("sqs"), url)


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
