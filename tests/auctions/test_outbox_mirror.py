"""The outbox's mirror into PostgreSQL survives a passing engine failure."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from redis.asyncio import Redis

from auctions.engine_client import EngineCallError
from auctions.outbox import Entry, OutboxForwarder
from lambdas.shared.auction_messages import BidRecord


class FlakyEngine:
    """Fails the first ``failures`` mirror calls, then records them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[tuple[str, Decimal, str, int]] = []

    async def mirror(self, auction_id: str, price: Decimal, leader: str, end: datetime,
                     count: int) -> list[str]:
        self.calls.append((auction_id, price, leader, count))
        if len(self.calls) <= self.failures:
            raise EngineCallError("engine unreachable")
        return []


def _entry(amount: str, sequence: int) -> Entry:
    bid = BidRecord("auction-1", f"bid-{sequence}", "bob", amount, sequence,
                    1_750_000_000_000_000 + sequence)
    return Entry(bid, 1_750_000_060_000_000, False, None)


async def test_outbox_mirror_retries_a_passing_engine_failure() -> None:
    """GIVEN an engine that fails the first mirror call WHEN the last bid is mirrored.

    THEN the mirror is written on the next attempt (there is no later bid to repair it).
    """
    engine: Any = FlakyEngine(failures=1)
    redis = Redis.from_url("redis://127.0.0.1:1/0")  # never connected: the mirror needs none
    forwarder = OutboxForwarder(redis, None, engine, "http://127.0.0.1:9")  # type: ignore[arg-type]

    await forwarder._mirror([_entry("10.00", 1), _entry("12.00", 2)])
    await redis.aclose()

    assert engine.calls == [("auction-1", Decimal("12.00"), "bob", 2)] * 2


async def test_outbox_mirror_gives_up_after_its_attempts() -> None:
    """GIVEN an engine that keeps failing WHEN a bid is mirrored THEN it stops after 3 tries."""
    engine: Any = FlakyEngine(failures=10)
    redis = Redis.from_url("redis://127.0.0.1:1/0")
    forwarder = OutboxForwarder(redis, None, engine, "http://127.0.0.1:9")  # type: ignore[arg-type]

    await forwarder._mirror([_entry("10.00", 1)])
    await redis.aclose()

    assert len(engine.calls) == 3
