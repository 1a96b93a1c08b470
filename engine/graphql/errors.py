"""GraphQL errors in Hasura's shape: ``{"message", "extensions": {"path", "code"}}``."""

from __future__ import annotations

from typing import Any


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
        return {"message": self.message, "extensions": {"path": self.path, "code": self.code}}


def validation(message: str, path: str = "$") -> GraphQLFieldError:
    """A ``validation-failed`` error at ``path``."""
    return GraphQLFieldError(message, "validation-failed", path)
