"""Errors an action answers with: an HTTP status, a machine code and a message.

Hasura turns a 4xx body ``{"message": ..., "extensions": {"code": ...}}`` into the GraphQL
error the client sees, so every error a user can cause is a 4xx with its own code. The body
is shaped by the project's one error base (:mod:`common.errors`).
"""

from __future__ import annotations

from typing import Any

from common.errors import ServiceError


class ActionError(ServiceError):
    """An error answered to Hasura as ``{message, extensions: {code, ...}}``."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 **extensions: Any) -> None:
        super().__init__(message, code=code, status=status, extensions=extensions)


class InvalidInputError(ActionError):
    """The input or session variables do not match the action's model."""

    code = "invalid-input"


class UnknownActionError(ActionError):
    """No handler for this action name."""

    status = 404
    code = "unknown-action"


class RateLimitedError(ActionError):
    """Too many attempts for this email or client address in the current window."""

    status = 429
    code = "rate-limited"


class UpstreamError(ActionError):
    """Cognito failed in a way the user cannot fix (answered as a 5xx)."""

    status = 502
    code = "auth-unavailable"
