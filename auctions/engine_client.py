"""The auction code's calls to the engine, on the project's one engine client.

Prices, leaders, channels and winners are written here as admin: no client role may
write them (see the ``auctions`` permissions).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from auctions.bidbook import AuctionTerms
from common.engine_client import AsyncEngineClient, EngineCallError

__all__ = ["EngineCallError", "EngineClient", "parse_time"]

AUCTION_TERMS = """
query AuctionTerms($id: uuid!) {
  auctions_by_pk(id: $id) {
    id seller_id start_time end_time start_price min_increment
    current_price current_leader_id status close_event_id
  }
}
"""

MIRROR = """
mutation MirrorBid($id: uuid!, $price: numeric!, $leader: String!, $end: timestamptz!,
                   $count: Int!) {
  update_auctions(
    where: {id: {_eq: $id}, status: {_eq: OPEN},
            _or: [{current_price: {_is_null: true}}, {current_price: {_lt: $price}}]}
    _set: {current_price: $price, current_leader_id: $leader, end_time: $end,
           bid_count: $count}
  ) { affected_rows returning { close_event_id } }
}
"""

SET_CLOSE_EVENT = """
mutation SetCloseEvent($id: uuid!, $event: String!) {
  update_auctions_by_pk(pk_columns: {id: $id}, _set: {close_event_id: $event}) { id }
}
"""


class EngineClient(AsyncEngineClient):
    """Admin calls to one engine for auctions (``admin_secret`` is required)."""

    def __init__(self, graphql_url: str, admin_secret: str, timeout: float = 10.0) -> None:
        super().__init__(graphql_url, admin_secret, timeout)

    async def auction_terms(self, auction_id: str) -> tuple[AuctionTerms, dict[str, Any]] | None:
        """The auction's terms (and its raw row), or None when it does not exist."""
        row = (await self.data(AUCTION_TERMS, {"id": auction_id}))["auctions_by_pk"]
        if row is None:
            return None
        terms = AuctionTerms(
            auction_id=row["id"], seller_id=row["seller_id"],
            start_time=parse_time(row["start_time"]), end_time=parse_time(row["end_time"]),
            start_price=Decimal(str(row["start_price"])),
            min_increment=Decimal(str(row["min_increment"])),
            current_price=(Decimal(str(row["current_price"]))
                           if row["current_price"] is not None else None),
            current_leader_id=row["current_leader_id"], closed=row["status"] != "OPEN",
        )
        return terms, row

    async def mirror(self, auction_id: str, price: Decimal, leader: str, end: datetime,
                     count: int) -> list[str | None]:
        """Mirror the newest bid (never lowers the price); ``count`` is its sequence number.

        Returns the close event id of the row updated (none when the price was not higher).
        """
        data = await self.data(MIRROR, {
            "id": auction_id, "price": str(price), "leader": leader,
            "end": end.isoformat(), "count": count,
        })
        return [r["close_event_id"] for r in data["update_auctions"]["returning"]]

    async def schedule_close(self, auction_id: str, at: datetime, webhook: str,
                             previous: str | None = None) -> str:
        """Create the one-off event that closes the auction at ``at``; drop ``previous``."""
        created = await self.metadata_call("create_scheduled_event", {
            "webhook": webhook,
            "schedule_at": at.isoformat(),
            "payload": {"auction_id": auction_id},
            "headers": [{"name": "X-Action-Secret", "value_from_env": "ACTION_SHARED_SECRET"}],
            "retry_conf": {"num_retries": 10, "retry_interval_seconds": 5,
                           "timeout_seconds": 60, "tolerance_seconds": 86400},
            "comment": f"close auction {auction_id}",
        })
        event_id = str(created["event_id"])
        await self.data(SET_CLOSE_EVENT, {"id": auction_id, "event": event_id})
        if previous:
            # Already delivered or gone is fine: the close handler ignores early events.
            with contextlib.suppress(EngineCallError):
                await self.metadata_call("delete_scheduled_event",
                                    {"type": "one_off", "event_id": previous})
        return event_id


def parse_time(text: str) -> datetime:
    """An ISO time from the engine (``Z`` or an offset)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
