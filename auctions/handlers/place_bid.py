"""``placeBid(auction_id, amount, bid_id)``: one atomic Redis script decides the bid.

A rejection is an answer, not an error: ``accepted: false`` with a reason code
(``auction-closed``, ``too-low``, ``own-auction``, ``duplicate``, ``rate-limited``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import Field, field_validator

from actions.context import ActionContext
from actions.errors import ActionError
from actions.models import StrictInput
from auctions.handlers.common import caller, service
from auctions.service import AuctionNotFoundError

NAME = "placeBid"


class Input(StrictInput):
    """The bid; ``bid_id`` is the client's idempotency key (a retry sends the same)."""

    auction_id: UUID
    amount: Decimal = Field(gt=0, le=Decimal("9999999999.99"))
    bid_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")

    @field_validator("amount")
    @classmethod
    def _cents(cls, value: Decimal) -> Decimal:
        if value != value.quantize(Decimal("0.01")):
            raise ValueError("at most two decimals")
        return value


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """Answer ``PlaceBidOutput``."""
    auctions = service(ctx)
    user = caller(ctx)
    try:
        outcome = await auctions.place(str(data.auction_id), data.bid_id, user, data.amount)
    except AuctionNotFoundError:
        raise ActionError("No such auction.", code="auction-not-found", status=404) from None
    return {
        "accepted": outcome.accepted,
        "reason": outcome.reason,
        "bid_id": data.bid_id,
        "auction_id": str(data.auction_id),
        "amount": float(data.amount),
        "current_price": _money(outcome.current_price),
        "leader_id": outcome.leader_id,
        "minimum_bid": _money(outcome.minimum),
        "end_time": outcome.end_time.isoformat().replace("+00:00", "Z"),
        "sequence": outcome.sequence,
        "extended": outcome.extended,
    }
