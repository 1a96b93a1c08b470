"""GraphQL errors in Hasura's shape: ``{"message", "extensions": {"path", "code"}}``."""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_CHARS = 1000
"""Longest error message answered; longer ones (an echoed 5 MB field name) are cut."""


def bounded(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``message``, cut to ``limit`` characters with a note when it is longer.

    Messages quote client input (unknown field names, values); without a bound a client
    can make the answer as large as its request, or larger.
    """
    if len(message) <= limit:
        return message
    return f"{message[:limit]}... ({len(message) - limit} more characters)"


class GraphQLFieldError(Exception):
    """An error answered as a GraphQL error (HTTP 200 unless ``status`` says otherwise)."""

    def __init__(self, message: str, code: str = "validation-failed", path: str = "$",
                 status: int = 200, internal: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.path = path
        self.status = status
        self.internal = internal

    def to_json(self) -> dict[str, Any]:
        """The error object of a GraphQL response's ``errors`` list."""
        return {"message": bounded(self.message),
                "extensions": {"path": bounded(self.path), "code": self.code}}


def validation(message: str, path: str = "$") -> GraphQLFieldError:
    """A ``validation-failed`` error at ``path``."""
    return GraphQLFieldError(message, "validation-failed", path)
