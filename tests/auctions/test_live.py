"""Live: a client subscribed to an auction over the engine's websocket sees each accepted bid."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.auctions.conftest import ALICE, BOB, CAROL, AuctionStack, wait_until
from tests.engine.subscriptions.wsclient import TRANSPORT_WS, WsClient

LASTS = 3600.0
"""Seconds the test's auction is open: far beyond the test, however loaded the machine."""
UPDATE_WAIT = 60.0
"""Seconds to wait for an update (the bid goes through SQS before its mirror)."""

LIVE = """
subscription Live($id: uuid!) {
  auctions_by_pk(id: $id) { current_price current_leader_id bid_count end_time status }
}
"""


async def test_auction_subscription_sees_every_accepted_bid(auction_stack: AuctionStack) -> None:
    """GIVEN an anonymous viewer subscribed to an open auction (live query, 100 ms refetch).

    WHEN Bob and Carol bid in turn, one bid too low among them
    THEN the viewer gets one update per accepted bid, in order, with its price, leader and
    count, and none for the rejected bid.

    The auction lasts an hour: anonymous reads only open auctions, so one that ended while
    a loaded machine ran the test would read as null (it once did, with a 120 s auction).
    """
    stack = auction_stack
    auction_id = stack.create_auction(ALICE, seconds=LASTS)
    wait_until(lambda: stack.auction(auction_id)["close_event_id"])
    viewer = await WsClient.initialised(stack.engine.url(), TRANSPORT_WS, {})
    await viewer.start("live", LIVE, {"id": auction_id})
    initial = await viewer.receive(wait=UPDATE_WAIT)
    bids = [(BOB, 10.0), (CAROL, 12.0), (BOB, 12.5), (BOB, 15.0), (CAROL, 20.0)]
    seen: list[tuple[Any, ...]] = []
    answers = []
    try:
        for user, amount in bids:
            answer = await asyncio.to_thread(stack.bid, user, auction_id, amount)
            answers.append(answer["accepted"])
            if answer["accepted"]:
                update = await viewer.receive(wait=UPDATE_WAIT)
                row = update["payload"]["data"]["auctions_by_pk"]
                assert row is not None, (update, stack.auction(auction_id))
                seen.append((float(row["current_price"]), row["current_leader_id"],
                             row["bid_count"]))
            else:
                with pytest.raises(TimeoutError):
                    await viewer.receive(wait=0.5)
    finally:
        await viewer.stop("live")
        await viewer.ws.close()

    assert initial["payload"]["data"]["auctions_by_pk"]["current_price"] is None
    assert answers == [True, True, False, True, True]
    assert seen == [(10.0, BOB, 1), (12.0, CAROL, 2), (15.0, BOB, 3), (20.0, CAROL, 4)]
