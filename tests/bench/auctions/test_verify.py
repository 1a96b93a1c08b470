"""The load test's verdict: it must notice a lost, doubled or out-of-order bid."""

from __future__ import annotations

from typing import Any

from bench.auctions.load import AcceptedBid, LoadRecord
from bench.auctions.verify import account_for_pending, verify


def item(bid: AcceptedBid, timestamp: int) -> dict[str, Any]:
    return {"auction_id": {"S": bid.auction_id}, "bid_id": {"S": bid.bid_id},
            "sequence": {"N": str(bid.sequence)},
            "timestamp#user_id": {"S": f"{timestamp:017d}#{bid.user_id}"}}


BIDS = [AcceptedBid("a", f"b{n}", f"u{n}", 10.0 + n, n) for n in (1, 2, 3)]
CLOSED = {"a": {"winner_id": "u3", "final_price": "13.00"}}


def record(bids: list[AcceptedBid]) -> LoadRecord:
    found = LoadRecord(accepted=list(bids))
    found.reasons["too-low"] = 4
    return found


def test_verify_accepts_a_clean_run() -> None:
    """GIVEN every accepted bid stored once, in order, winner right THEN every check passes."""
    verdict = verify(record(BIDS), [item(b, 100 + b.sequence) for b in BIDS], CLOSED)

    assert verdict["ok"], verdict


def test_verify_reports_lost_doubled_unordered_and_wrong_winner() -> None:
    """GIVEN a run with each kind of fault THEN each check fails and names an example."""
    lost = verify(record(BIDS), [item(b, 100 + b.sequence) for b in BIDS[:2]], CLOSED)
    doubled = verify(record(BIDS), [item(b, 100 + b.sequence) for b in [*BIDS, BIDS[0]]],
                     CLOSED)
    falling = [*BIDS[:2], AcceptedBid("a", "b3", "u3", 11.0, 3)]
    unordered = verify(record(falling), [item(b, 200 - b.sequence) for b in falling], CLOSED)
    wrong = verify(record(BIDS), [item(b, 100 + b.sequence) for b in BIDS],
                   {"a": {"winner_id": "u2", "final_price": "12.00"}})

    assert lost["lost_examples"] == ["b3"]
    assert not lost["checks"]["stored_exactly_once"]
    assert doubled["duplicated_examples"] == ["b1"]
    assert not unordered["checks"]["amounts_rise_in_acceptance_order"]
    assert not unordered["checks"]["history_sorts_in_acceptance_order"]
    assert not wrong["checks"]["winner_is_highest_accepted_bid"]


def test_verify_counts_bids_not_stored_that_are_still_on_the_way() -> None:
    """GIVEN 3 accepted bids, one stored, and the drain timed out.

    WHEN one bid is still in the queue and none in the DLQ, then when none is anywhere
    THEN the first says 1 on the way and 1 unaccounted, the second 2 unaccounted; neither
    verdict is ok.
    """
    stored = [item(BIDS[0], 101)]
    queued = account_for_pending(verify(record(BIDS), stored, CLOSED), {
        "outbox": 0, "bid-persistence-queue.fifo": 1, "bid-persistence-queue-dlq.fifo": 0})
    gone = account_for_pending(verify(record(BIDS), stored, CLOSED), {
        "outbox": 0, "bid-persistence-queue.fifo": 0, "bid-persistence-queue-dlq.fifo": 0})

    assert queued["not_stored"] == {"on_the_way": 1, "in_dead_letter_queue": 0,
                                    "unaccounted": 1}
    assert gone["not_stored"]["unaccounted"] == 2
    assert (queued["ok"], gone["ok"]) == (False, False)
