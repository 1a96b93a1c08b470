"""Concurrent bidders: each a keep-alive connection to the engine, bidding in a closed loop.

A bidder bids a few increments above the last price it saw (from its own answers and the
other bidders' of the same auction), so bids race for the same price levels the way a
flash auction's do. Every answer is recorded: accepted with its sequence, or the reason.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from bench.load.http_client import Connection, build_request

PLACE_BID = (
    "mutation PlaceBid($a: uuid!, $m: Float!, $b: String!) { placeBid(auction_id: $a, "
    "amount: $m, bid_id: $b) { accepted reason current_price sequence } }"
)


@dataclass(frozen=True)
class AcceptedBid:
    """What the load test remembers of an accepted bid."""

    auction_id: str
    bid_id: str
    user_id: str
    amount: float
    sequence: int


@dataclass
class LoadRecord:
    """Everything the bidders saw."""

    latencies: list[float] = field(default_factory=list)
    accepted: list[AcceptedBid] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    error_examples: dict[str, str] = field(default_factory=dict)
    """One message per error code (what went wrong, for the report)."""

    @property
    def requests(self) -> int:
        """Answers received (accepted, rejected or errors)."""
        return len(self.latencies)


class PriceBoard:
    """The last price each auction was seen at (shared by its bidders, never behind Redis)."""

    def __init__(self, start: dict[str, float]) -> None:
        self.prices = dict(start)

    def saw(self, auction_id: str, price: float | None) -> None:
        """Raise the auction's known price."""
        if price is not None and price > self.prices[auction_id]:
            self.prices[auction_id] = price


async def bidder(engine_graphql: str, token: str, user_id: str, auction_id: str,
                 board: PriceBoard, increment: float, until: float, record: LoadRecord,
                 rng: random.Random) -> None:
    """Bid in a loop until ``until`` (monotonic seconds)."""
    conn = await Connection.open(engine_graphql)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        while time.monotonic() < until:
            amount = round(board.prices[auction_id] + increment * rng.randint(1, 8), 2)
            bid_id = uuid.uuid4().hex
            body = orjson.dumps({"query": PLACE_BID, "variables": {
                "a": auction_id, "m": amount, "b": bid_id}})
            started = time.perf_counter()
            try:
                response = await conn.request(build_request(engine_graphql, body, headers))
            except (OSError, asyncio.IncompleteReadError) as exc:
                record.errors[type(exc).__name__] += 1
                conn.close()
                conn = await Connection.open(engine_graphql)
                continue
            record.latencies.append(time.perf_counter() - started)
            answer = orjson.loads(response.body)
            result = (answer.get("data") or {}).get("placeBid")
            if response.status != 200 or not result:
                error = (answer.get("errors") or [{}])[0]
                code = str((error.get("extensions") or {}).get("code") or response.status)
                record.errors[code] += 1
                record.error_examples.setdefault(code, str(error.get("message"))[:300])
                continue
            board.saw(auction_id, result.get("current_price"))
            if result["accepted"]:
                record.accepted.append(AcceptedBid(auction_id, bid_id, user_id, amount,
                                                   int(result["sequence"])))
            else:
                record.reasons[str(result.get("reason"))] += 1
    finally:
        conn.close()


async def run_bidders(engine_graphql: str, tokens: dict[str, str], auctions: list[str],
                      board: PriceBoard, increment: float, seconds: float,
                      progress: Callable[[LoadRecord, float], None]) -> LoadRecord:
    """``len(tokens)`` bidders spread evenly over ``auctions`` for ``seconds``."""
    record = LoadRecord()
    started = time.monotonic()
    until = started + seconds
    tasks = [
        asyncio.create_task(bidder(engine_graphql, token, user, auctions[n % len(auctions)],
                                   board, increment, until, record,
                                   random.Random(n)))
        for n, (user, token) in enumerate(tokens.items())
    ]
    while not all(t.done() for t in tasks):
        await asyncio.wait(tasks, timeout=5)
        progress(record, time.monotonic() - started)
    for task in tasks:
        task.result()  # re-raise a bidder's unexpected failure
    return record
