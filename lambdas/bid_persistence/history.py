"""Writing one accepted bid to ``bids_history``: a conditional put, so a redelivery is a no-op."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from lambdas.shared.auction_messages import BidRecord

SECONDS_PER_DAY = 86_400


def bid_item(bid: BidRecord, ttl_days: int) -> dict[str, Any]:
    """The item: HASH ``auction_id``, RANGE ``timestamp#user_id``, ``ttl_expiry`` in seconds."""
    return {
        "auction_id": bid.auction_id,
        "timestamp#user_id": bid.sort_key,
        "user_id": bid.user_id,
        "timestamp": bid.timestamp_us,
        "bid_id": bid.bid_id,
        "amount": Decimal(bid.amount),
        "sequence": bid.sequence,
        "ttl_expiry": bid.timestamp_us // 1_000_000 + ttl_days * SECONDS_PER_DAY,
    }


def store_bid(table: Any, bid: BidRecord, ttl_days: int) -> bool:
    """Put the bid unless its key exists; returns False when it was there already."""
    try:
        table.put_item(
            Item=bid_item(bid, ttl_days),
            ConditionExpression="attribute_not_exists(auction_id)",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True
