"""Action failures as GraphQL errors, in the shape Hasura gives them."""

from __future__ import annotations

from typing import Any

from engine.graphql.errors import GraphQLFieldError


class ActionHandlerError(GraphQLFieldError):
    """A 4xx answer from the handler: its message, and its extensions passed on as they are.

    Without extensions, Hasura answers ``{"path": "$", "code": "unexpected"}`` (or the
    body's top-level ``code`` when it has one).
    """

    def __init__(self, message: str, extensions: dict[str, Any] | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, code or "unexpected")
        self.handler_extensions = extensions

    def to_json(self) -> dict[str, Any]:
        """The error object: the handler's extensions as they are, or Hasura's default ones."""
        if isinstance(self.handler_extensions, dict):
            return {"message": self.message, "extensions": self.handler_extensions}
        return super().to_json()


def unexpected(message: str) -> GraphQLFieldError:
    """Hasura's ``unexpected`` error for a handler that failed otherwise."""
    return GraphQLFieldError(message, "unexpected")
