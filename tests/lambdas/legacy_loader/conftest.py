"""The legacy loader's AWS side on moto (a staging table, a dead-letter queue) and its event."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.kafka_event import KafkaEvent

from devstack.services.moto import MotoService
from lambdas.legacy_loader.dead_letters import DeadLetters
from lambdas.legacy_loader.load import load_batch
from lambdas.legacy_loader.staging import HashStaging

EVENT = Path(__file__).resolve().parents[2] / "events" / "msk" / "legacy_user_hashes.json"


def msk_event() -> dict[str, Any]:
    """A fresh copy of ``tests/events/msk/legacy_user_hashes.json``."""
    event: dict[str, Any] = json.loads(EVENT.read_text())
    return event


class Aws:
    """A table and a queue of their own on moto, and clients to read them."""

    def __init__(self, moto: MotoService) -> None:
        env = moto.aws_environment()
        options = {"endpoint_url": env["AWS_ENDPOINT_URL"], "region_name": env["AWS_REGION"],
                   "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        self.dynamodb = boto3.client("dynamodb", **options)
        self.sqs = boto3.client("sqs", **options)
        self.table = f"hashes-{uuid.uuid4().hex[:8]}"
        self.dynamodb.create_table(
            TableName=self.table, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "email", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}])
        self.queue = self.sqs.create_queue(QueueName=f"dlq-{uuid.uuid4().hex[:8]}")["QueueUrl"]

    def load(self, event: dict[str, Any]) -> dict[str, int]:
        return load_batch(KafkaEvent(event).records, HashStaging(self.dynamodb, self.table),
                          DeadLetters(self.sqs, self.queue)).as_dict()

    def item(self, email: str) -> dict[str, Any]:
        found: dict[str, Any] = self.dynamodb.get_item(
            TableName=self.table, Key={"email": {"S": email}})["Item"]
        return found

    def dead_letters(self) -> list[dict[str, Any]]:
        messages = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


@pytest.fixture
def aws(moto_server: MotoService) -> Iterator[Aws]:
    clients = Aws(moto_server)
    yield clients
    clients.dynamodb.close()
    clients.sqs.close()
