"""``resendConfirmationCode(email)``: send a new confirmation code."""

from __future__ import annotations

from typing import Any

from actions.cognito_errors import to_action_error
from actions.context import ActionContext
from actions.handlers.fields import Email
from actions.handlers.outputs import code_sent_to
from actions.models import StrictInput

NAME = "resendConfirmationCode"


class Input(StrictInput):
    """The email signed up with."""

    email: Email


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """Ask Cognito to send the code again; answers ``CodeDelivery``.

    An unknown email answers like a known one, so the call reveals no accounts.
    """
    await ctx.limiter.hit("code", email=data.email, client_ip=ctx.client_ip)
    try:
        await ctx.cognito.resend_confirmation_code(data.email)
    except Exception as exc:
        error = to_action_error(exc)
        if error.code == "user-not-found":
            return code_sent_to(data.email)
        raise error from None
    return code_sent_to(data.email)
