"""``auctionBids(auction_id, limit)``: an auction's newest bids, from ``bids_history``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field
from starlette.concurrency import run_in_threadpool

from actions.context import ActionContext
from actions.models import StrictInput
from auctions.handlers.common import service

NAME = "auctionBids"


class Input(StrictInput):
    """Which auction, how many bids (newest first)."""

    auction_id: UUID
    limit: int = Field(default=20, ge=1, le=100)


async def handle(ctx: ActionContext, data: Input) -> Any:
    """Answer ``[BidHistoryEntry!]!``."""
    history = service(ctx).history
    return await run_in_threadpool(history.auction_bids, str(data.auction_id), data.limit)
