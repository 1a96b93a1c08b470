"""What the auction actions share: the caller and the configured service."""

from __future__ import annotations

from actions.context import ActionContext
from actions.errors import ActionError
from auctions.service import AuctionService


def service(ctx: ActionContext) -> AuctionService:
    """The auction service, or a 503 ``auctions-not-configured``."""
    if ctx.auctions is None:
        raise ActionError("Auctions are not configured on this action service (REDIS_URL, "
                          "HASURA_GRAPHQL_ENDPOINT and the admin secret are needed).",
                          code="auctions-not-configured", status=503)
    return ctx.auctions


def caller(ctx: ActionContext) -> str:
    """The signed-in user's id (the action is granted to ``user`` only)."""
    if not ctx.session.user_id:
        raise ActionError("This action needs a signed-in user.", code="access-denied",
                          status=403)
    return ctx.session.user_id
