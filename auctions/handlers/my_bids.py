"""``myBids(limit)``: the caller's newest bids on every auction (GSI by user)."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.concurrency import run_in_threadpool

from actions.context import ActionContext
from actions.models import StrictInput
from auctions.handlers.common import caller, service

NAME = "myBids"


class Input(StrictInput):
    """How many bids (newest first)."""

    limit: int = Field(default=20, ge=1, le=100)


async def handle(ctx: ActionContext, data: Input) -> Any:
    """Answer ``[BidHistoryEntry!]!``."""
    history = service(ctx).history
    return await run_in_threadpool(history.user_bids, caller(ctx), data.limit)
