"""The cache interface the timeline needs: bytes by key, each with its own time to live."""

from __future__ import annotations

from typing import Protocol


class CacheUnavailableError(RuntimeError):
    """The backend failed; callers serve from the database instead (a cache is optional)."""


class TimelineCache(Protocol):
    """A key-value cache whose entries expire after their own TTL.

    Implementations raise :class:`CacheUnavailableError` when the backend fails, never a
    client library's own exception.
    """

    async def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, or None when absent or expired."""
        ...

    async def set(self, key: str, value: bytes, ttl_ms: int) -> None:
        """Store ``value`` under ``key`` for ``ttl_ms`` milliseconds (more than 0)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
