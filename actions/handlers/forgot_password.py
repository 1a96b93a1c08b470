"""``forgotPassword(email)``: send a password-reset code."""

from __future__ import annotations

from typing import Any

from actions.cognito_errors import to_action_error
from actions.context import ActionContext
from actions.handlers.fields import Email
from actions.handlers.outputs import code_sent_to
from actions.models import StrictInput

NAME = "forgotPassword"


class Input(StrictInput):
    """The account's email."""

    email: Email


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """Ask Cognito for a reset code; an unknown email answers the same as a known one."""
    await ctx.limiter.hit("code", email=data.email, client_ip=ctx.client_ip)
    try:
        await ctx.cognito.forgot_password(data.email)
    except Exception as exc:
        error = to_action_error(exc)
        if error.code in ("user-not-found", "not-authorized"):
            return code_sent_to(data.email)
        raise error from None
    return code_sent_to(data.email)
