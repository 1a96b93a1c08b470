"""The load test's reading of the goal: what answers/s the measured acceptance needs."""

from __future__ import annotations

from bench.auctions.load import AcceptedBid, LoadRecord
from bench.auctions.main import goal_analysis


def _record(answers: int, accepted: int) -> LoadRecord:
    record = LoadRecord(latencies=[0.01] * answers)
    record.accepted = [AcceptedBid("a", f"b{n}", "u", 10.0 + n, n) for n in range(accepted)]
    return record


def test_goal_analysis_says_what_the_acceptance_ratio_needs() -> None:
    """GIVEN 4 % accepted with 100 bidders per auction, then 90 % with one per auction.

    WHEN each is read against an idle-machine estimate of 800 answers/s
    THEN the first needs 12,500 answers/s (out of reach), the second 556 (within reach).
    """
    crowded = goal_analysis(_record(1000, 40), 1000, 10, {"answers_per_s": 800.0})
    spread = goal_analysis(_record(1000, 900), 1000, 1000, {"answers_per_s": 800.0})

    assert (crowded["bidders_per_auction"], crowded["accepted_per_auction_round_trip"]) == (
        100.0, 4.0)
    assert (crowded["answers_per_s_needed"], crowded["reachable_on_idle_machine"]) == (
        12500, False)
    assert (spread["answers_per_s_needed"], spread["reachable_on_idle_machine"]) == (556, True)
