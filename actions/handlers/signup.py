"""``signup(email, password, name)``: create an unconfirmed user; Cognito emails a code."""

from __future__ import annotations

from typing import Any

from actions.cognito_errors import to_action_error
from actions.context import ActionContext
from actions.handlers.fields import Email, Name, Password
from actions.models import StrictInput
from actions.passwords import check_password_policy

NAME = "signup"


class Input(StrictInput):
    """The new user's email, password and display name."""

    email: Email
    password: Password
    name: Name


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """Sign the user up; answers ``SignupOutput``."""
    await ctx.limiter.hit("signup", email=data.email, client_ip=ctx.client_ip)
    check_password_policy(data.password)
    try:
        result = await ctx.cognito.sign_up(data.email, data.password, data.name)
    except Exception as exc:
        raise to_action_error(exc) from None
    details = result.get("CodeDeliveryDetails") or {}
    return {
        "user_id": result["UserSub"],
        "confirmed": bool(result.get("UserConfirmed")),
        "code_destination": details.get("Destination"),
    }
