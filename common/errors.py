"""The one error base of the project: a message, a machine code, an HTTP status and a path.

Shaped after Powertools' ``event_handler/exceptions.py`` (``ServiceError`` and its
subclasses): a subclass names a meaning with a default ``status`` and ``code``, and the
body is shaped here once. Hasura reads errors in two shapes, both written here:

- a GraphQL error (what ``/v1/graphql`` answers and what an action or trigger handler answers
  Hasura with): ``{"message": ..., "extensions": {"path"?, "code", ...}}``;
- an admin API error (``/v1/metadata``, ``/v1/query``): ``{"path", "error", "code",
  "internal"?}``.

One code per meaning across the project: a caller that does not prove the shared secret or
the admin secret is ``access-denied`` everywhere (as Hasura says it).
"""

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


class ServiceError(Exception):
    """An error answered to a client: ``message``, ``code``, ``status`` and ``path``.

    ``status`` and ``code`` default to the class's; ``path`` (a JSON path into the request)
    is answered when set; ``internal`` is detail for admin API answers; ``extensions`` are
    further keys of a GraphQL error's ``extensions``.
    """

    status: int = 400
    code: str = "bad-request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 path: str | None = None, internal: Any = None,
                 extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.path = path
        self.internal = internal
        self.extensions = extensions or {}

    def to_json(self) -> dict[str, Any]:
        """The error as a GraphQL error object (also what Hasura reads from a handler)."""
        extensions: dict[str, Any] = {}
        if self.path is not None:
            extensions["path"] = bounded(self.path)
        extensions["code"] = self.code
        extensions.update(self.extensions)
        return {"message": bounded(self.message), "extensions": extensions}

    def to_api_json(self, default_path: str = "$") -> dict[str, Any]:
        """The error as an admin API body (``/v1/metadata``, ``/v1/query``)."""
        body: dict[str, Any] = {"path": self.path or default_path,
                                "error": bounded(self.message), "code": self.code}
        if self.internal is not None:
            body["internal"] = self.internal
        return body


class AccessDeniedError(ServiceError):
    """The caller did not prove the secret it needs (the shared secret, the admin secret)."""

    status = 401
    code = "access-denied"
