"""The bid script on a real Redis: atomic decisions, reason codes, anti-sniping."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from redis.asyncio import Redis

from auctions.bidbook import OUTBOX_KEY, AuctionTerms, BidBook, UnknownAuctionError

SELLER = "seller-1"


async def open_auction(book: BidBook, seconds: float = 60, start: str = "10.00",
                       increment: str = "1.00") -> str:
    auction_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    await book.load(AuctionTerms(auction_id, SELLER, now - timedelta(seconds=1),
                                 now + timedelta(seconds=seconds), Decimal(start),
                                 Decimal(increment)))
    return auction_id


async def test_bidbook_concurrent_bids_one_winner_per_price_level(redis: Redis) -> None:
    """GIVEN an auction (start 10.00, increment 1.00) and 20 bidders.

    WHEN each bidder sends the same 10 price levels concurrently
    THEN exactly one bid wins each level, sequences are 1..10 in rising price order,
    and the outbox holds the 10 accepted bids in that order.
    """
    book = BidBook(redis, anti_snipe_seconds=0, rate_limit=1000, rate_window_seconds=60)
    auction_id = await open_auction(book)
    levels = [Decimal(10 + n) for n in range(10)]

    async def bidder(n: int) -> list[tuple[Decimal, bool, int | None, int | None]]:
        results = []
        for amount in levels:
            outcome = await book.place(auction_id, f"b{n}-{amount}", f"user-{n}", amount)
            results.append((amount, outcome.accepted, outcome.sequence, outcome.timestamp_us))
        return results

    everything = [r for rs in await asyncio.gather(*(bidder(n) for n in range(20))) for r in rs]
    accepted = sorted((seq, amount) for amount, ok, seq, _ in everything if ok)

    assert [amount for _, amount in accepted] == levels
    assert [seq for seq, _ in accepted] == list(range(1, 11))
    outbox = [json.loads(raw) for raw in await redis.lrange(OUTBOX_KEY, 0, -1)]
    assert [e["amount_cents"] for e in outbox] == [int(a * 100) for a in levels]
    stamps = [int(e["timestamp_us"]) for e in outbox]
    assert stamps == sorted(set(stamps))
    answered = {seq: ts for _, ok, seq, ts in everything if ok}
    assert stamps == [answered[e["sequence"]] for e in outbox]  # exact to the microsecond


async def test_bidbook_reason_codes(redis: Redis) -> None:
    """GIVEN an open auction, a closed one and a rate limit of 3 bids per window.

    WHEN bids break each rule
    THEN each is rejected with its code and only valid bids are accepted.
    """
    book = BidBook(redis, anti_snipe_seconds=0, rate_limit=3, rate_window_seconds=60)
    auction_id = await open_auction(book)
    ended = await open_auction(book, seconds=-0.5)

    first = await book.place(auction_id, "x1", "ann", Decimal("10.00"))
    too_low = await book.place(auction_id, "x2", "ben", Decimal("10.50"))
    own = await book.place(auction_id, "x3", SELLER, Decimal("50.00"))
    again = await book.place(auction_id, "x1", "ann", Decimal("10.00"))
    closed = await book.place(ended, "x4", "cat", Decimal("99.00"))
    ann_2 = await book.place(auction_id, "x5", "ann", Decimal("12.00"))
    ann_3 = await book.place(auction_id, "x6", "ann", Decimal("13.00"))
    ann_4 = await book.place(auction_id, "x7", "ann", Decimal("14.00"))

    assert first.accepted
    assert first.previous_leader is None
    assert (too_low.accepted, too_low.reason, too_low.minimum) == (False, "too-low",
                                                                   Decimal("11.00"))
    assert own.reason == "own-auction"
    assert again.reason == "duplicate"
    assert closed.reason == "auction-closed"
    assert ann_2.accepted
    assert ann_3.accepted
    assert ann_4.reason == "rate-limited"
    assert await redis.llen(OUTBOX_KEY) == 3
    with pytest.raises(UnknownAuctionError):
        await book.place(str(uuid.uuid4()), "x8", "ann", Decimal("1.00"))


async def test_bidbook_anti_sniping_extends_the_end(redis: Redis) -> None:
    """GIVEN an auction ending in 1 s and a 5 s anti-sniping window.

    WHEN a bid arrives
    THEN the end moves 5 s later, the bid says so, and a bid after the old end is accepted.
    """
    book = BidBook(redis, anti_snipe_seconds=5, rate_limit=100, rate_window_seconds=60)
    auction_id = await open_auction(book, seconds=1)
    before = datetime.now(UTC)

    late = await book.place(auction_id, "s1", "ann", Decimal("10.00"))
    await asyncio.sleep(1.2)
    after_old_end = await book.place(auction_id, "s2", "ben", Decimal("11.00"))

    assert late.extended
    assert late.end_time > before + timedelta(seconds=5)
    assert after_old_end.accepted
    assert after_old_end.previous_leader == "ann"
    state, _, _ = await book.close(auction_id)
    assert state == "open"
