"""``confirmForgotPassword(email, code, password)``: set a new password with the reset code."""

from __future__ import annotations

from typing import Any

from actions.cognito_errors import to_action_error
from actions.context import ActionContext
from actions.handlers.fields import Code, Email, Password
from actions.models import StrictInput
from actions.passwords import check_password_policy

NAME = "confirmForgotPassword"

_OVERRIDES = {
    "UserNotFoundException": (400, "invalid-code", "The code is not correct."),
}


class Input(StrictInput):
    """The email, the emailed reset code and the new password."""

    email: Email
    code: Code
    password: Password


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """Set the new password; answers ``{ok}``."""
    await ctx.limiter.hit("code", email=data.email, client_ip=ctx.client_ip)
    check_password_policy(data.password)
    try:
        await ctx.cognito.confirm_forgot_password(data.email, data.code, data.password)
    except Exception as exc:
        raise to_action_error(exc, _OVERRIDES) from None
    return {"ok": True}
