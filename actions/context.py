"""What a handler gets besides its input: the caller, Cognito, the rate limiter, the timeline."""

from __future__ import annotations

from dataclasses import dataclass

from actions.cognito import Cognito
from actions.models import SessionVariables
from actions.rate_limit import RateLimiter
from actions.settings import ActionSettings
from timeline.feed import HomeTimeline


@dataclass(frozen=True)
class ActionContext:
    """One call's context."""

    session: SessionVariables
    client_ip: str | None
    cognito: Cognito
    limiter: RateLimiter
    settings: ActionSettings
    timeline: HomeTimeline
