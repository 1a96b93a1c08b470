"""``login(email, password)``: tokens for a confirmed user (or a legacy one, migrated)."""

from __future__ import annotations

from typing import Any

from actions.cognito_errors import INVALID_CREDENTIALS, to_action_error
from actions.context import ActionContext
from actions.errors import ActionError
from actions.handlers.fields import Email, Password
from actions.handlers.outputs import tokens
from actions.models import StrictInput

NAME = "login"

_OVERRIDES = {
    # One answer for an unknown user and a wrong password: never reveal who has an account.
    "NotAuthorizedException": INVALID_CREDENTIALS,
    "UserNotFoundException": INVALID_CREDENTIALS,
    "InvalidPasswordException": INVALID_CREDENTIALS,  # cognito-local's wrong-password error
}


class Input(StrictInput):
    """The credentials."""

    email: Email
    password: Password


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """USER_PASSWORD_AUTH; answers ``AuthTokens`` (the ID token carries Hasura's claims)."""
    await ctx.limiter.hit("login", email=data.email, client_ip=ctx.client_ip)
    try:
        result = await ctx.cognito.password_auth(data.email, data.password)
    except Exception as exc:
        raise to_action_error(exc, _OVERRIDES) from None
    if "AuthenticationResult" not in result:
        challenge = result.get("ChallengeName") or "unknown"
        raise ActionError(f"Sign-in needs a step this API does not support ({challenge}).",
                          code="challenge-required", status=403, challenge=challenge)
    return tokens(result)
