"""No cache (``TIMELINE_CACHE=none``): every read goes to the database.

Useful where no cache is provisioned, and as the uncached side of ``bench/timeline``.
"""

from __future__ import annotations


class NoCache:
    """Stores nothing, so every lookup misses."""

    async def get(self, key: str) -> bytes | None:
        """Always a miss."""
        return None

    async def set(self, key: str, value: bytes, ttl_ms: int) -> None:
        """Drop the value."""

    async def close(self) -> None:
        """Nothing to release."""
