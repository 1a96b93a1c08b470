"""Reading ``bids_history`` (DynamoDB): an auction's bids, and a user's bids through the GSI.

DynamoDB deletes items past ``ttl_expiry`` only eventually (moto never does), so expired
items are filtered on read.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

USER_INDEX = "user_id-timestamp-index"
MAX_LIMIT = 100


def entry(item: dict[str, Any]) -> dict[str, Any]:
    """A ``BidHistoryEntry`` from an item."""
    ts = int(item["timestamp"])
    return {
        "auction_id": item["auction_id"],
        "bid_id": item["bid_id"],
        "user_id": item["user_id"],
        "amount": float(Decimal(item["amount"])),
        "sequence": int(item["sequence"]),
        "placed_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts // 1_000_000))
        + f".{ts % 1_000_000:06d}Z",
    }


class BidHistory:
    """Queries on one table, newest first, skipping expired items."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def _query(self, limit: int, **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params.update(ScanIndexForward=False,
                      FilterExpression=Attr("ttl_expiry").gt(int(time.time())))
        while len(found) < limit:
            # Limit caps items read before the filter: ask for what is missing, page on.
            page = self.table.query(Limit=min(MAX_LIMIT, limit - len(found)), **params)
            found.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [entry(i) for i in found[:limit]]

    def auction_bids(self, auction_id: str, limit: int) -> list[dict[str, Any]]:
        """An auction's newest bids."""
        return self._query(limit, KeyConditionExpression=Key("auction_id").eq(auction_id))

    def user_bids(self, user_id: str, limit: int) -> list[dict[str, Any]]:
        """A user's newest bids, on every auction (GSI ``user_id-timestamp-index``)."""
        return self._query(limit, IndexName=USER_INDEX,
                           KeyConditionExpression=Key("user_id").eq(user_id))
