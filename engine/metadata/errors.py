"""Errors of the metadata and query APIs, answered as ``{"path", "error", "code"}``."""

from __future__ import annotations

from typing import Any

from common.errors import ServiceError


class MetadataError(ServiceError):
    """An API operation failed; ``code`` is Hasura's machine code."""

    code = "invalid-configuration"

    def __init__(self, message: str, code: str = "invalid-configuration", *,
                 status: int = 400, path: str | None = None, internal: Any = None) -> None:
        super().__init__(message, code=code, status=status, path=path, internal=internal)


def not_exists(message: str) -> MetadataError:
    """The operation names something that does not exist."""
    return MetadataError(message, "not-exists")


def already_exists(message: str) -> MetadataError:
    """The operation would create something that exists already."""
    return MetadataError(message, "already-exists")


def parse_failed(message: str, path: str | None = None) -> MetadataError:
    """The operation's arguments do not have the expected shape."""
    return MetadataError(message, "parse-failed", path=path)
