"""Closing an auction once its end (with extensions) has passed: exactly once in effect.

The close event may be delivered more than once (an engine restart, a retry). Each step is
idempotent, in this order: Redis marks the auction closed (no bid is accepted after; the
leader is final); the winner and seller notices are queued under fixed deduplication keys;
the stream is stopped; then one conditional update (``status = OPEN`` → ``CLOSED``)
records the winner and price. A repeat finds the row closed and changes nothing; a notice
queued twice is dropped by SQS and by the ``notifications.dedup_key`` constraint.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from auctions.bidbook import BidBook, from_cents, from_us
from auctions.channels import stop_stream
from auctions.engine_client import EngineClient
from auctions.outbox import Queues
from lambdas.shared.auction_messages import Notice

logger = logging.getLogger("auctions.closing")

RECORD_CLOSE = """
mutation CloseAuction($id: uuid!, $winner: String, $price: numeric, $at: timestamptz!) {
  update_auctions(
    where: {id: {_eq: $id}, status: {_eq: OPEN}}
    _set: {status: CLOSED, winner_id: $winner, final_price: $price, closed_at: $at,
           current_price: $price, current_leader_id: $winner}
  ) { affected_rows }
}
"""


@dataclass(frozen=True)
class CloseResult:
    """What a close call did."""

    outcome: str
    """``closed``, ``already-closed``, ``rescheduled`` or ``not-found``."""
    winner_id: str | None = None
    final_price: str | None = None
    rescheduled_to: str | None = None


def close_notices(auction_id: str, seller: str, winner: str | None,
                  price: str | None) -> list[Notice]:
    """WON + SOLD for a sale, ENDED for an auction without bids."""
    if winner is None:
        return [Notice("ENDED", seller, auction_id, None,
                       "Your auction ended without a bid.", f"ended:{auction_id}")]
    return [
        Notice("WON", winner, auction_id, price, f"You won the auction for {price}.",
               f"won:{auction_id}"),
        Notice("SOLD", seller, auction_id, price, f"Your auction sold for {price}.",
               f"sold:{auction_id}"),
    ]


class AuctionCloser:
    """Closes auctions with the bid book, the engine, the queues and IVS."""

    def __init__(self, book: BidBook, engine: EngineClient, queues: Queues, ivs: Any,
                 close_webhook: str) -> None:
        self.book = book
        self.engine = engine
        self.queues = queues
        self.ivs = ivs
        self.close_webhook = close_webhook

    async def close(self, auction_id: str) -> CloseResult:
        """Close ``auction_id`` if its end passed; otherwise move the close to the new end."""
        found = await self.engine.auction_terms(auction_id)
        if found is None:
            return CloseResult("not-found")
        terms, row = found
        if row["status"] != "OPEN":
            return CloseResult("already-closed", row.get("current_leader_id"))
        await self.book.load(terms)
        kind, value, leader = await self.book.close(auction_id)
        if kind == "open":
            end = from_us(value)
            await self.engine.schedule_close(auction_id, end, self.close_webhook,
                                             previous=row.get("close_event_id"))
            return CloseResult("rescheduled", rescheduled_to=end.isoformat())
        price = str(from_cents(value)) if leader else None
        notices = close_notices(auction_id, terms.seller_id, leader, price)
        await run_in_threadpool(self.queues.send_notices, notices)
        if row.get("ivs_channel_arn"):
            await run_in_threadpool(stop_stream, self.ivs, row["ivs_channel_arn"])
        data = await self.engine.data(RECORD_CLOSE, {
            "id": auction_id, "winner": leader, "price": price,
            "at": datetime.now(UTC).isoformat(),
        })
        if data["update_auctions"]["affected_rows"] == 0:
            return CloseResult("already-closed", leader, price)
        logger.info("auction %s closed: winner %s at %s", auction_id, leader, price)
        return CloseResult("closed", leader, price)
