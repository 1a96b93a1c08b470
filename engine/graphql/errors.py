"""GraphQL errors in Hasura's shape: ``{"message", "extensions": {"path", "code"}}``."""

from __future__ import annotations

from typing import Any

from common.errors import ServiceError


class GraphQLFieldError(ServiceError):
    """An error answered as a GraphQL error (HTTP 200 unless ``status`` says otherwise)."""

    status = 200
    code = "validation-failed"

    def __init__(self, message: str, code: str = "validation-failed", path: str = "$",
                 status: int = 200, internal: Any = None) -> None:
        super().__init__(message, code=code, status=status, path=path, internal=internal)

    def error_objects(self) -> list[dict[str, Any]]:
        """The GraphQL error objects this error answers (one, unless it carries several)."""
        return [self.to_json()]


def validation(message: str, path: str = "$") -> GraphQLFieldError:
    """A ``validation-failed`` error at ``path``."""
    return GraphQLFieldError(message, "validation-failed", path)
