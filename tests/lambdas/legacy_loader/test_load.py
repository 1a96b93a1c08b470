from __future__ import annotations

import base64
import copy
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


def _event() -> dict[str, Any]:
    event: dict[str, Any] = json.loads(EVENT.read_text())
    return event


def _with_version(event: dict[str, Any], email: str, version: int, hash_: str) -> dict[str, Any]:
    """A copy of ``event`` whose record for ``email`` carries ``version`` and ``hash_``."""
    changed = copy.deepcopy(event)
    for records in changed["records"].values():
        for record in records:
            if base64.b64decode(record["key"]).decode() != email:
                continue
            value = json.loads(base64.b64decode(record["value"]))
            if value["email"] == email:
                value.update(version=version, password_hash=hash_)
                record["value"] = base64.b64encode(json.dumps(value).encode()).decode()
    return changed


class Aws:
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


def test_load_batch_stages_good_records_and_dead_letters_a_malformed_one(aws: Aws) -> None:
    """GIVEN an MSK batch over two partitions with one record that is not JSON WHEN loaded.

    THEN both good users are staged with their scheme, name and version, and the bad record
    is in the dead-letter queue with its offset, without blocking the batch.
    """
    assert aws.load(_event()) == {"staged": 2, "unchanged": 0, "malformed": 1}

    ada = aws.item("ada@example.com")
    assert ada["scheme"] == {"S": "bcrypt"}
    assert ada["name"] == {"S": "Ada Lovelace"}
    assert ada["version"] == {"N": "1764720000000001"}
    assert aws.item("alan@example.com")["scheme"] == {"S": "pbkdf2_sha256"}
    [letter] = aws.dead_letters()
    assert (letter["partition"], letter["offset"]) == (0, 11)
    assert base64.b64decode(letter["value"]) == b"{not json"


def test_load_batch_replayed_changes_nothing(aws: Aws) -> None:
    """GIVEN a loaded batch WHEN the same batch comes again THEN every good record is unchanged."""
    aws.load(_event())
    before = aws.item("ada@example.com")

    assert aws.load(_event())["unchanged"] == 2
    assert aws.item("ada@example.com") == before


def test_load_batch_older_record_never_overwrites_newer(aws: Aws) -> None:
    """GIVEN a user staged at version 2 WHEN version 1 arrives later THEN version 2 stays;.

    WHEN version 3 arrives THEN it replaces it.
    """
    event = _event()
    aws.load(_with_version(event, "ada@example.com", 2, "$2b$04$new"))
    aws.load(_with_version(event, "ada@example.com", 1, "$2b$04$old"))
    assert aws.item("ada@example.com")["password_hash"] == {"S": "$2b$04$new"}

    aws.load(_with_version(event, "ada@example.com", 3, "$2b$04$newest"))
    assert aws.item("ada@example.com")["password_hash"] == {"S": "$2b$04$newest"}


def test_load_batch_never_restages_a_migrated_user(aws: Aws) -> None:
    """GIVEN a user already moved to Cognito (hash removed, ``migrated_at`` set) WHEN a newer.

    record arrives THEN no hash is staged again.
    """
    aws.load(_event())
    aws.dynamodb.update_item(TableName=aws.table, Key={"email": {"S": "ada@example.com"}},
                             UpdateExpression="REMOVE password_hash SET migrated_at = :t",
                             ExpressionAttributeValues={":t": {"N": "1"}})

    aws.load(_with_version(_event(), "ada@example.com", 2**60, "$2b$04$late"))

    assert "password_hash" not in aws.item("ada@example.com")
