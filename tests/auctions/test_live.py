"""Live: a client subscribed to an auction over the engine's websocket sees each accepted bid."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.auctions.conftest import ALICE, BOB, CAROL, AuctionStack, wait_until
from tests.engine.subscriptions.wsclient import TRANSPORT_WS, WsClient

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
    """
    stack = auction_stack
    auction_id = stack.create_auction(ALICE, seconds=120)
    wait_until(lambda: stack.auction(auction_id)["close_event_id"])
    viewer = await WsClient.initialised(stack.engine.url(), TRANSPORT_WS, {})
    await viewer.start("live", LIVE, {"id": auction_id})
    initial = await viewer.receive()
    bids = [(BOB, 10.0), (CAROL, 12.0), (BOB, 12.5), (BOB, 15.0), (CAROL, 20.0)]
    seen: list[tuple[Any, ...]] = []
    answers = []
    try:
        for user, amount in bids:
            answer = await asyncio.to_thread(stack.bid, user, auction_id, amount)
            answers.append(answer["accepted"])
            if answer["accepted"]:
                row = (await viewer.receive())["payload"]["data"]["auctions_by_pk"]
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
