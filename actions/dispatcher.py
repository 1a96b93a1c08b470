"""One place that maps an action name to its module, and runs it on a validated payload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ValidationError

from actions.context import ActionContext
from actions.errors import InvalidInputError, UnknownActionError
from actions.handlers import (
    confirm_forgot_password,
    confirm_signup,
    forgot_password,
    home_timeline,
    login,
    logout,
    refresh_token,
    resend_confirmation_code,
    signup,
)
from auctions.handlers import auction_bids, my_bids, place_bid


@dataclass(frozen=True)
class ActionHandler:
    """An action's input model and handler."""

    name: str
    input_model: type[BaseModel]
    handle: Callable[[ActionContext, Any], Awaitable[Any]]


def _from_module(module: ModuleType) -> ActionHandler:
    return ActionHandler(module.NAME, module.Input, module.handle)


HANDLERS: dict[str, ActionHandler] = {
    h.name: h for h in map(_from_module, (
        signup, confirm_signup, resend_confirmation_code, login, refresh_token, logout,
        forgot_password, confirm_forgot_password, home_timeline, place_bid, auction_bids,
        my_bids,
    ))
}


def validation_message(exc: ValidationError) -> str:
    """The fields that failed and why; never the values (they may be passwords)."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        field = ".".join(str(p) for p in error["loc"]) or "input"
        parts.append(f"{field}: {error['msg']}")
    return "Invalid input: " + "; ".join(parts)


async def dispatch(name: str, raw_input: dict[str, Any], ctx: ActionContext) -> Any:
    """Validate ``raw_input`` into the action's model and run its handler."""
    handler = HANDLERS.get(name)
    if handler is None:
        raise UnknownActionError(f"No action named {name!r}.")
    try:
        data = handler.input_model.model_validate(raw_input)
    except ValidationError as exc:
        raise InvalidInputError(validation_message(exc)) from None
    return await handler.handle(ctx, data)
