"""Cached responses in Redis: one string per key, and a set of keys per query family.

Keys live under ``hasura:response:`` and ``hasura:family:`` so a Redis shared with other
services is never flushed: clearing everything deletes those prefixes only. A Redis that is
down does not fail a query: lookups miss and writes are skipped (logged, rate-limited).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from engine.repeated_warning import RepeatedWarning

log = logging.getLogger(__name__)

RESPONSE_PREFIX = "hasura:response:"
FAMILY_PREFIX = "hasura:family:"


@dataclass(frozen=True)
class CachedResponse:
    """A cached body and the seconds it has left."""

    body: bytes
    ttl: int


class RedisResponseStore:
    """Responses of ``@cached`` queries in Redis."""

    def __init__(self, redis: Redis, max_ttl: int) -> None:
        self.redis = redis
        self.max_ttl = max_ttl
        self._warning = RepeatedWarning(log, "response cache unavailable, answering uncached")

    @classmethod
    def from_url(cls, url: str, max_ttl: int) -> RedisResponseStore:
        """A store on the Redis at ``url`` (connections are made on first use)."""
        return cls(Redis.from_url(url), max_ttl)

    async def close(self) -> None:
        """Close the Redis connections."""
        await self.redis.aclose()

    async def get(self, key: str) -> CachedResponse | None:
        """The entry for ``key``, or None (missing, expired, or Redis unavailable)."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.get(RESPONSE_PREFIX + key)
                pipe.ttl(RESPONSE_PREFIX + key)
                body, ttl = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._warning.failed(exc)
            return None
        self._warning.succeeded()
        if body is None or ttl is None or ttl <= 0:
            return None
        return CachedResponse(bytes(body), int(ttl))

    async def put(self, key: str, family: str, body: bytes, ttl: int) -> bool:
        """Store ``body`` for ``ttl`` seconds (at most the maximum); whether it was stored."""
        ttl = min(ttl, self.max_ttl)
        if ttl <= 0:
            return False
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(RESPONSE_PREFIX + key, body, ex=ttl)
                pipe.sadd(FAMILY_PREFIX + family, key)
                pipe.expire(FAMILY_PREFIX + family, self.max_ttl)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._warning.failed(exc)
            return False
        return True

    async def clear(self, key: str | None = None, family: str | None = None) -> int:
        """Delete one entry, a family's entries, or (neither given) every entry; how many.

        Raises:
            RedisError: Redis refused or is unreachable.
        """
        if key is not None:
            return int(await self.redis.delete(RESPONSE_PREFIX + key))
        if family is not None:
            members = await self.redis.smembers(FAMILY_PREFIX + family)
            names = [RESPONSE_PREFIX + (m.decode() if isinstance(m, bytes) else m)
                     for m in members]
            cleared = int(await self.redis.delete(*names)) if names else 0
            await self.redis.delete(FAMILY_PREFIX + family)
            return cleared
        cleared = 0
        for prefix in (RESPONSE_PREFIX, FAMILY_PREFIX):
            batch: list[bytes] = []
            async for name in self.redis.scan_iter(match=prefix + "*", count=500):
                batch.append(name)
                if len(batch) >= 500:
                    cleared += await self._delete(batch, prefix)
                    batch = []
            if batch:
                cleared += await self._delete(batch, prefix)
        return cleared

    async def _delete(self, names: list[bytes], prefix: str) -> int:
        deleted = int(await self.redis.delete(*names))
        return deleted if prefix == RESPONSE_PREFIX else 0
