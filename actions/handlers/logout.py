"""``logout(refresh_token)``: end the caller's sessions.

The refresh token is revoked, so it can no longer mint tokens; with
``COGNITO_GLOBAL_SIGN_OUT`` (the default on AWS) the caller is also signed out of every
other device. ID tokens already issued stay valid until they expire (Cognito's model).
"""

from __future__ import annotations

from typing import Any

from actions.cognito_errors import to_action_error
from actions.context import ActionContext
from actions.errors import ActionError
from actions.models import StrictInput

NAME = "logout"

_OVERRIDES = {
    "NotAuthorizedException": (
        401, "invalid-refresh-token", "The refresh token is invalid, expired or revoked."),
    "UnsupportedTokenTypeException": (400, "invalid-refresh-token", "Not a refresh token."),
}


class Input(StrictInput):
    """The refresh token of the session to end."""

    refresh_token: str


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """Revoke the token, then sign the caller out globally when configured."""
    user_id = ctx.session.user_id
    if not user_id:
        raise ActionError("Sign in to sign out.", code="not-authenticated", status=401)
    try:
        await ctx.cognito.revoke_refresh_token(data.refresh_token)
        if ctx.settings.cognito_global_sign_out and ctx.settings.cognito_user_pool_id:
            await ctx.cognito.global_sign_out(user_id)
    except Exception as exc:
        raise to_action_error(exc, _OVERRIDES) from None
    return {"ok": True}
