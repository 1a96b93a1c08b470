"""bid_persistence on moto's DynamoDB: conditional puts, TTL, partial batch failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.services.auction_aws import create_tables
from devstack.services.moto import MotoService, client
from lambdas.bid_persistence import handler as bid_handler
from lambdas.bid_persistence.history import store_bid
from lambdas.shared.auction_messages import BidRecord
from tests.lambdas.events import context

EVENT = Path(__file__).resolve().parents[2] / "events" / "sqs" / "fifo_bid_batch.json"
AUCTION = "6d1f0d7e-3c1c-4b7e-9a51-2b7f3c1d0a01"


@pytest.fixture
def table(moto_server: MotoService, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key, value in moto_server.aws_environment().items():
        monkeypatch.setenv(key, value)
    dynamodb = client("dynamodb", moto_server.url(), "us-east-1")
    create_tables(dynamodb)
    bid_handler.table.cache_clear()
    found = bid_handler.table()
    for item in found.scan()["Items"]:
        found.delete_item(Key={"auction_id": item["auction_id"],
                               "timestamp#user_id": item["timestamp#user_id"]})
    yield found
    bid_handler.table.cache_clear()


def test_bid_persistence_redelivery_writes_nothing_twice(table: Any) -> None:
    """GIVEN a bid already stored WHEN the same message is handled again THEN one item stays.

    It is unchanged, keyed ``timestamp#user_id`` in acceptance order, with ``ttl_expiry`` set.
    """
    bid = BidRecord(AUCTION, "bid-9", "user-a", "20.00", 3, 1764756000000123)

    first = store_bid(table, bid, ttl_days=1)
    second = store_bid(table, BidRecord(AUCTION, "bid-9", "user-a", "99.00", 3,
                                        1764756000000123), ttl_days=1)

    items = table.scan()["Items"]
    assert (first, second) == (True, False)
    assert len(items) == 1
    assert items[0]["timestamp#user_id"] == "01764756000000123#user-a"
    assert str(items[0]["amount"]) == "20.00"
    assert int(items[0]["ttl_expiry"]) == 1764756000 + 86_400


def test_bid_persistence_reports_only_the_poison_record(table: Any) -> None:
    """GIVEN a FIFO batch of two bids and a malformed record in another group.

    WHEN the handler runs twice on it (a redelivery)
    THEN only the poison record is reported failed, and the two bids are stored once.
    """
    event = json.loads(EVENT.read_text())

    first = bid_handler.handler(event, context("bid_persistence"))
    again = bid_handler.handler(event, context("bid_persistence"))

    poison = event["Records"][2]["messageId"]
    assert first == {"batchItemFailures": [{"itemIdentifier": poison}]}
    assert again == first
    stored = sorted(i["bid_id"] for i in table.scan()["Items"])
    assert stored == ["bid-1", "bid-2"]
