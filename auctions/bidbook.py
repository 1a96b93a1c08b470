"""The bid book in Redis: each auction's state, and the one script that takes a bid.

Redis is where bids are decided. An auction is loaded once (from PostgreSQL, through the
engine) into a hash; ``place_bid.lua`` then checks and records a bid in one atomic step
and appends it to the outbox list, from which :mod:`auctions.outbox` forwards it to SQS.
Concurrent bids share a pipeline (:mod:`auctions.script_batch`); each still runs alone.
Amounts are integer cents and times integer microseconds, so Lua compares them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from auctions.script_batch import BatchedScript

OUTBOX_KEY = "auctions:outbox"
REASONS = ("auction-closed", "too-low", "own-auction", "duplicate", "rate-limited")
_SCRIPTS = Path(__file__).parent


def cents(amount: Decimal) -> int:
    """``12.34`` → ``1234`` (amounts have at most two decimals)."""
    return int((amount * 100).to_integral_value())


def from_cents(value: int) -> Decimal:
    """``1234`` → ``Decimal('12.34')``."""
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def to_us(moment: datetime) -> int:
    """A time as integer microseconds since the epoch."""
    return int(moment.timestamp() * 1_000_000)


def from_us(value: int) -> datetime:
    """Microseconds since the epoch as a UTC time."""
    return datetime.fromtimestamp(value / 1_000_000, UTC)


def auction_key(auction_id: str) -> str:
    """The auction's hash (its id in braces: one slot if Redis is ever clustered)."""
    return f"auction:{{{auction_id}}}"


@dataclass(frozen=True)
class AuctionTerms:
    """What the script needs to know about an auction."""

    auction_id: str
    seller_id: str
    start_time: datetime
    end_time: datetime
    start_price: Decimal
    min_increment: Decimal
    current_price: Decimal | None = None
    current_leader_id: str | None = None
    closed: bool = False


@dataclass(frozen=True)
class BidOutcome:
    """The script's answer."""

    accepted: bool
    reason: str | None
    current_price: Decimal | None
    leader_id: str | None
    end_time: datetime
    sequence: int | None = None
    timestamp_us: int | None = None
    minimum: Decimal | None = None
    extended: bool = False
    previous_leader: str | None = None


class UnknownAuctionError(LookupError):
    """The auction is not in Redis yet."""


class BidBook:
    """Runs the scripts on one Redis."""

    def __init__(self, redis: Redis, anti_snipe_seconds: float, rate_limit: int,
                 rate_window_seconds: float) -> None:
        self.redis = redis
        self.anti_snipe_us = int(anti_snipe_seconds * 1_000_000)
        self.rate_limit = rate_limit
        self.rate_window_ms = int(rate_window_seconds * 1000)
        self._place = BatchedScript(redis, (_SCRIPTS / "place_bid.lua").read_text())
        self._close = redis.register_script((_SCRIPTS / "close_auction.lua").read_text())

    async def load(self, terms: AuctionTerms) -> None:
        """Put the auction in Redis unless it is there already (never overwrites bids)."""
        key = auction_key(terms.auction_id)
        fields: dict[str, Any] = {
            "seller": terms.seller_id,
            "start_us": to_us(terms.start_time),
            "end_us": to_us(terms.end_time),
            "start_price": cents(terms.start_price),
            "increment": cents(terms.min_increment),
            "price": cents(terms.current_price) if terms.current_price is not None else 0,
            "leader": terms.current_leader_id or "",
            "closed": "1" if terms.closed else "0",
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            for name, value in fields.items():
                pipe.hsetnx(key, name, value)
            await pipe.execute()

    async def place(self, auction_id: str, bid_id: str, user_id: str,
                    amount: Decimal) -> BidOutcome:
        """Check and record one bid; raises UnknownAuctionError when it is not loaded."""
        keys = [auction_key(auction_id), f"auction:{{{auction_id}}}:bids",
                f"bidrate:{user_id}", OUTBOX_KEY]
        args: list[str | int] = [auction_id, bid_id, user_id, cents(amount), self.anti_snipe_us,
                self.rate_limit, self.rate_window_ms]
        raw = await self._place(keys, args)
        kind = _text(raw[0])
        if kind == "unknown":
            raise UnknownAuctionError(auction_id)
        if kind == "rejected":
            _, reason, price, leader, end_us, minimum = raw
            return BidOutcome(
                accepted=False, reason=_text(reason),
                current_price=from_cents(int(price)) if _text(leader) else None,
                leader_id=_text(leader) or None, end_time=from_us(int(end_us)),
                minimum=from_cents(int(minimum)),
            )
        _, seq, ts, price, end_us, extended, previous = raw
        return BidOutcome(
            accepted=True, reason=None, current_price=from_cents(int(price)), leader_id=user_id,
            end_time=from_us(int(end_us)), sequence=int(seq), timestamp_us=int(ts),
            extended=bool(int(extended)), previous_leader=_text(previous) or None,
        )

    async def close(self, auction_id: str) -> tuple[str, int, str | None]:
        """Close the auction if its end passed.

        Returns ``("closed", price_cents, leader)``, ``("open", end_us, None)`` or
        ``("unknown", 0, None)``. Closing twice answers the same: the caller makes the
        database write conditional.
        """
        raw = await self._close(keys=[auction_key(auction_id)])
        kind = _text(raw[0])
        if kind == "closed":
            return kind, int(raw[1]), _text(raw[2]) or None
        if kind == "open":
            return kind, int(raw[1]), None
        return kind, 0, None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
