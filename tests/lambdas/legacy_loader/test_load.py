from __future__ import annotations

import base64
import copy
import json
from typing import Any

from tests.lambdas.legacy_loader.conftest import Aws, msk_event


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


def test_load_batch_stages_good_records_and_dead_letters_a_malformed_one(aws: Aws) -> None:
    """GIVEN an MSK batch over two partitions with one record that is not JSON WHEN loaded.

    THEN both good users are staged with their scheme, name and version, and the bad record
    is in the dead-letter queue with its offset, without blocking the batch.
    """
    assert aws.load(msk_event()) == {"staged": 2, "unchanged": 0, "malformed": 1}

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
    aws.load(msk_event())
    before = aws.item("ada@example.com")

    assert aws.load(msk_event())["unchanged"] == 2
    assert aws.item("ada@example.com") == before


def test_load_batch_older_record_never_overwrites_newer(aws: Aws) -> None:
    """GIVEN a user staged at version 2 WHEN version 1 arrives later THEN version 2 stays;.

    WHEN version 3 arrives THEN it replaces it.
    """
    event = msk_event()
    aws.load(_with_version(event, "ada@example.com", 2, "$2b$04$new"))
    aws.load(_with_version(event, "ada@example.com", 1, "$2b$04$old"))
    assert aws.item("ada@example.com")["password_hash"] == {"S": "$2b$04$new"}

    aws.load(_with_version(event, "ada@example.com", 3, "$2b$04$newest"))
    assert aws.item("ada@example.com")["password_hash"] == {"S": "$2b$04$newest"}


def test_load_batch_never_restages_a_migrated_user(aws: Aws) -> None:
    """GIVEN a user already moved to Cognito (hash removed, ``migrated_at`` set) WHEN a newer.

    record arrives THEN no hash is staged again.
    """
    aws.load(msk_event())
    aws.dynamodb.update_item(TableName=aws.table, Key={"email": {"S": "ada@example.com"}},
                             UpdateExpression="REMOVE password_hash SET migrated_at = :t",
                             ExpressionAttributeValues={":t": {"N": "1"}})

    aws.load(_with_version(msk_event(), "ada@example.com", 2**60, "$2b$04$late"))

    assert "password_hash" not in aws.item("ada@example.com")
