"""``logout(refresh_token)``: end the caller's sessions.

The refresh token must be the caller's own: it is first used once (REFRESH_TOKEN_AUTH) and
the ID token Cognito answers must name the caller, else the call is refused exactly as for
an invalid token, and nothing is revoked (a stolen or guessed token of someone else cannot
be used to sign them out, nor be tested for validity). The token is then revoked, so it
can no longer mint tokens; with
``COGNITO_GLOBAL_SIGN_OUT`` (the default on AWS) the caller is also signed out of every
other device. ID tokens already issued stay valid until they expire (Cognito's model).
"""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

from actions.cognito_errors import to_action_error
from actions.context import ActionContext
from actions.errors import ActionError
from actions.models import StrictInput

NAME = "logout"
HASURA_CLAIMS = "https://hasura.io/jwt/claims"

_OVERRIDES = {
    "NotAuthorizedException": (
        401, "invalid-refresh-token", "The refresh token is invalid, expired or revoked."),
    "UnsupportedTokenTypeException": (400, "invalid-refresh-token", "Not a refresh token."),
}


class Input(StrictInput):
    """The refresh token of the session to end."""

    refresh_token: str


def _token_owners(id_token: Any) -> set[str]:
    """The ids an ID token names: its Hasura user id, ``sub`` and Cognito username.

    The token comes straight from Cognito over TLS in answer to our own call, so its
    payload is read without verifying the signature again.
    """
    try:
        payload = json.loads(base64.urlsafe_b64decode(
            str(id_token).split(".")[1] + "=" * (-len(str(id_token).split(".")[1]) % 4)))
    except (IndexError, ValueError):
        return set()
    owners = {str(payload[k]) for k in ("sub", "cognito:username") if payload.get(k)}
    claims = payload.get(HASURA_CLAIMS)
    if isinstance(claims, str):
        with contextlib.suppress(ValueError):
            claims = json.loads(claims)
    if isinstance(claims, dict) and claims.get("x-hasura-user-id"):
        owners.add(str(claims["x-hasura-user-id"]))
    return owners


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """Check the token is the caller's, revoke it, then sign out globally when configured."""
    user_id = ctx.session.user_id
    if not user_id:
        raise ActionError("Sign in to sign out.", code="not-authenticated", status=401)
    try:
        refreshed = await ctx.cognito.refresh_auth(data.refresh_token, user_id)
        id_token = refreshed.get("AuthenticationResult", {}).get("IdToken")
        if user_id not in _token_owners(id_token):
            status, code, message = _OVERRIDES["NotAuthorizedException"]
            raise ActionError(message, code=code, status=status)
        await ctx.cognito.revoke_refresh_token(data.refresh_token)
        if ctx.settings.cognito_global_sign_out and ctx.settings.cognito_user_pool_id:
            await ctx.cognito.global_sign_out(user_id)
    except ActionError:
        raise
    except Exception as exc:
        raise to_action_error(exc, _OVERRIDES) from None
    return {"ok": True}
