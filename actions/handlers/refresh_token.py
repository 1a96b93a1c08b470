"""``refreshToken(refresh_token)``: new ID and access tokens from a refresh token."""

from __future__ import annotations

from typing import Any

from actions.cognito_errors import to_action_error
from actions.context import ActionContext
from actions.handlers.outputs import tokens
from actions.models import StrictInput

NAME = "refreshToken"

_OVERRIDES = {
    "NotAuthorizedException": (
        401, "invalid-refresh-token", "The refresh token is invalid, expired or revoked."),
}


class Input(StrictInput):
    """The refresh token from ``login``; ``user_id`` only when the app client has a secret."""

    refresh_token: str
    user_id: str | None = None


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """REFRESH_TOKEN_AUTH; answers ``AuthTokens`` with the same refresh token."""
    username = data.user_id or ctx.session.user_id
    try:
        result = await ctx.cognito.refresh_auth(data.refresh_token, username)
    except Exception as exc:
        raise to_action_error(exc, _OVERRIDES) from None
    return tokens(result, refresh_token=data.refresh_token)
