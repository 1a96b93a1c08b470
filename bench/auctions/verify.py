"""After the load: wait for the queues to drain, then check that no bid was lost or doubled.

Checks, each reported with the offending examples:
- every accepted bid is in ``bids_history`` exactly once, and nothing else is;
- within each auction the accepted amounts rise strictly in order of acceptance (the
  ``sequence`` the script gave), and the history's sort key keeps that order;
- each auction's winner and final price (recorded at close) are its highest accepted bid;
- every rejection carried a reason code.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bench.auctions.load import AcceptedBid, LoadRecord

REASONS = {"auction-closed", "too-low", "own-auction", "duplicate", "rate-limited"}


def scan_history(dynamodb: Any, table: str, auctions: set[str]) -> list[dict[str, Any]]:
    """Every item of ``table`` that belongs to one of ``auctions``."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"TableName": table}
    while True:
        page = dynamodb.scan(**params)
        items += [i for i in page["Items"] if i["auction_id"]["S"] in auctions]
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def wait_for_drain(count_stored: Callable[[], int], expected: int, timeout: float,
                   progress: Callable[[int, float], None]) -> float | None:
    """Seconds until ``count_stored()`` reaches ``expected`` (None after ``timeout``)."""
    started = time.monotonic()
    last_report = started
    while True:
        stored = count_stored()
        now = time.monotonic()
        if stored >= expected:
            return now - started
        if now - started > timeout:
            return None
        if now - last_report > 5:
            progress(stored, now - started)
            last_report = now
        time.sleep(0.5)


def verify(record: LoadRecord, items: list[dict[str, Any]],
           closed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The verdict of each check, with counts and examples of failures."""
    accepted = {b.bid_id: b for b in record.accepted}
    stored: dict[str, int] = defaultdict(int)
    for item in items:
        stored[item["bid_id"]["S"]] += 1
    lost = sorted(set(accepted) - set(stored))
    unexpected = sorted(set(stored) - set(accepted))
    doubled = sorted(b for b, n in stored.items() if n > 1)

    by_auction: dict[str, list[AcceptedBid]] = defaultdict(list)
    for bid in record.accepted:
        by_auction[bid.auction_id].append(bid)
    not_rising, gaps = [], []
    for auction_id, bids in by_auction.items():
        bids.sort(key=lambda b: b.sequence)
        if [b.sequence for b in bids] != list(range(1, len(bids) + 1)):
            gaps.append(auction_id)
        not_rising += [(auction_id, a.amount, b.amount)
                       for a, b in itertools.pairwise(bids) if b.amount <= a.amount]
    order_broken = []
    items_by_auction: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        items_by_auction[item["auction_id"]["S"]].append(item)
    for auction_id, stored_items in items_by_auction.items():
        by_key = sorted(stored_items, key=lambda i: i["timestamp#user_id"]["S"])
        if [int(i["sequence"]["N"]) for i in by_key] != sorted(
                int(i["sequence"]["N"]) for i in stored_items):
            order_broken.append(auction_id)

    wrong_winner = []
    for auction_id, bids in by_auction.items():
        best = max(bids, key=lambda b: b.amount)
        row = closed.get(auction_id) or {}
        price = row.get("final_price")
        if row.get("winner_id") != best.user_id or price is None or \
                Decimal(str(price)) != Decimal(str(best.amount)).quantize(Decimal("0.01")):
            wrong_winner.append({"auction_id": auction_id, "expected": [best.user_id,
                                 best.amount], "recorded": [row.get("winner_id"), price]})
    unknown_reasons = sorted(r for r in record.reasons if r not in REASONS)
    checks = {
        "stored_exactly_once": not lost and not unexpected and not doubled,
        "amounts_rise_in_acceptance_order": not not_rising and not gaps,
        "history_sorts_in_acceptance_order": not order_broken,
        "winner_is_highest_accepted_bid": not wrong_winner,
        "every_rejection_has_a_reason": not unknown_reasons,
    }
    return {
        "ok": all(checks.values()),
        "checks": checks,
        "accepted": len(accepted),
        "stored": len(items),
        "lost": len(lost), "lost_examples": lost[:5],
        "duplicated": len(doubled), "duplicated_examples": doubled[:5],
        "unexpected": len(unexpected),
        "not_rising_examples": not_rising[:5], "sequence_gaps": gaps[:5],
        "order_broken": order_broken[:5],
        "wrong_winner": wrong_winner[:5],
        "unknown_reasons": unknown_reasons,
    }


def account_for_pending(verdict: dict[str, Any], pending: dict[str, int] | None
                        ) -> dict[str, Any]:
    """When the drain timed out: how many of the bids not stored are still on the way.

    ``pending`` counts the bids in the outbox, the queue and its dead-letter queue (see
    ``still_pending``). A bid stored nowhere and counted nowhere is lost for good; the
    rest are late (the local queue emulator drains slowly), or given up on in the DLQ.
    The verdict stays not ok either way: the history is not complete.
    """
    if pending is None:
        return verdict
    dead = sum(n for name, n in pending.items() if name.endswith("-dlq.fifo"))
    on_the_way = sum(pending.values()) - dead
    missing = verdict["lost"]
    return {**verdict, "not_stored": {
        "on_the_way": min(missing, on_the_way),
        "in_dead_letter_queue": dead,
        "unaccounted": max(0, missing - on_the_way - dead),
    }}

