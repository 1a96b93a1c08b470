"""What a handler gets besides its input: caller, Cognito, rate limiter, timeline, auctions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from actions.cognito import Cognito
from actions.models import SessionVariables
from actions.rate_limit import RateLimiter
from actions.settings import ActionSettings
from timeline.feed import HomeTimeline

if TYPE_CHECKING:  # the auction package imports this module
    from auctions.service import AuctionService


@dataclass(frozen=True)
class ActionContext:
    """One call's context."""

    session: SessionVariables
    client_ip: str | None
    cognito: Cognito
    limiter: RateLimiter
    settings: ActionSettings
    timeline: HomeTimeline
    auctions: AuctionService | None = None
    """The auction system (None when this service is not configured for it)."""
