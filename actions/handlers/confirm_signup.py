"""``confirmSignup(email, code)``: confirm the email address with the emailed code."""

from __future__ import annotations

from typing import Any

from actions.cognito_errors import INVALID_CREDENTIALS, to_action_error
from actions.context import ActionContext
from actions.handlers.fields import Code, Email
from actions.models import StrictInput

NAME = "confirmSignup"

_OVERRIDES = {
    # Do not tell a caller which emails have accounts: an unknown user is a wrong code.
    "UserNotFoundException": (400, "invalid-code", "The code is not correct."),
    "NotAuthorizedException": (400, "already-confirmed", "This account is already confirmed."),
    "InvalidPasswordException": INVALID_CREDENTIALS,
}


class Input(StrictInput):
    """The email signed up with and the code sent to it."""

    email: Email
    code: Code


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """Confirm; Cognito then runs the post-confirmation trigger that writes ``users``."""
    await ctx.limiter.hit("code", email=data.email, client_ip=ctx.client_ip)
    try:
        await ctx.cognito.confirm_sign_up(data.email, data.code)
    except Exception as exc:
        raise to_action_error(exc, _OVERRIDES) from None
    return {"ok": True}
