"""auction_notifications' handler on its SQS FIFO event, writing through a real engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from devstack.services.engine import EngineHandle
from tests.lambdas.events import context

EVENT = Path(__file__).resolve().parents[2] / "events" / "sqs" / "fifo_notice_batch.json"
AUCTION = "7a2e0c11-5b3d-4c8e-8f21-3d9e4b2c1a02"
SETUP = """
mutation Setup($auction: uuid!) {
  insert_users(objects: [
      {id: "notice-seller", email: "seller@example.com", name: "Sel"},
      {id: "notice-bob", email: "bob@example.com", name: "Bob"},
      {id: "notice-carol", email: "carol@example.com", name: "Carol"}],
    on_conflict: {constraint: users_pkey, update_columns: []}) { affected_rows }
  insert_auctions_one(object: {id: $auction, seller_id: "notice-seller", title: "Vintage lamp",
      end_time: "2099-01-01T00:00:00Z", start_price: 10, min_increment: 1},
    on_conflict: {constraint: auctions_pkey, update_columns: []}) { id }
}
"""


@pytest.fixture
def handler_module(graphql_handler: Callable[[str], ModuleType], core_engine: EngineHandle,
                   monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The handler without an SNS topic, and the users and auction its notices name."""
    monkeypatch.delenv("NOTIFICATION_TOPIC_ARN", raising=False)
    answer = core_engine.graphql(SETUP, {"auction": AUCTION})
    assert "errors" not in answer, answer
    return graphql_handler("lambdas.auction_notifications.handler")


def test_auction_notifications_handler_stores_each_notice_once(
        handler_module: ModuleType, core_engine: EngineHandle) -> None:
    """GIVEN a FIFO batch of two notices and a malformed record in another group.

    WHEN the handler runs twice on it (a redelivery)
    THEN only the malformed record is reported failed, and each notice is one row.
    """
    event = json.loads(EVENT.read_text())

    first = handler_module.handler(event, context("auction_notifications"))
    again = handler_module.handler(event, context("auction_notifications"))

    poison = event["Records"][2]["messageId"]
    assert first == again == {"batchItemFailures": [{"itemIdentifier": poison}]}
    rows = core_engine.graphql(
        f'query {{ notifications(where: {{auction_id: {{_eq: "{AUCTION}"}}}}, '
        'order_by: {kind: asc}) { user_id kind amount } }')
    assert rows["data"]["notifications"] == [
        {"user_id": "notice-bob", "kind": "OUTBID", "amount": 13},
        {"user_id": "notice-carol", "kind": "WON", "amount": 13},
    ]
