"""The auction service in-process against the running stack: loading an auction once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from redis.asyncio import Redis

from auctions.bidbook import auction_key
from auctions.service import AuctionService
from auctions.settings import AuctionSettings
from tests.auctions.conftest import ADMIN_SECRET, ALICE, AuctionStack


async def test_auction_service_loads_an_unknown_auction_once_for_a_burst(
    auction_stack: AuctionStack,
) -> None:
    """GIVEN an auction the bid book has not loaded yet.

    WHEN 20 bids on it arrive at once
    THEN the engine is asked for its terms once (not once per bid), and every bid is
    decided against them (here: all below the start price, so nothing is queued).
    """
    auction_id = auction_stack.create_auction(ALICE, 120)
    redis = Redis.from_url(auction_stack.redis_url)
    service = AuctionService(AuctionSettings(
        redis_url=auction_stack.redis_url,
        hasura_graphql_endpoint=auction_stack.engine.graphql_url(),
        hasura_graphql_admin_secret=ADMIN_SECRET,  # type: ignore[arg-type]
    ), redis)
    asked = 0
    terms_of = service.engine.auction_terms

    async def counted(wanted: str) -> object:
        nonlocal asked
        asked += 1
        return await terms_of(wanted)

    service.engine.auction_terms = counted  # type: ignore[method-assign, assignment]
    try:
        assert not await redis.exists(auction_key(auction_id))
        outcomes = await asyncio.gather(*(
            service.place(auction_id, f"burst-{n}", f"burst-user-{n}", Decimal("1.00"))
            for n in range(20)))
    finally:
        await service.close()
        await redis.aclose()

    assert asked == 1
    assert [o.reason for o in outcomes] == ["too-low"] * 20
