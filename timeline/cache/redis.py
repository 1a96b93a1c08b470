"""The timeline cache on Redis: the local stack's redis-server, ElastiCache on AWS."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from actions.redis_iam import redis_from_url
from timeline.cache.base import CacheUnavailableError


class RedisCache:
    """Entries are plain Redis strings with a millisecond expiry (``SET key value PX ttl``)."""

    def __init__(self, redis: Redis, *, owned: bool = True) -> None:
        self.redis = redis
        self.owned = owned
        """Whether :meth:`close` closes the client (not when it is shared)."""

    @classmethod
    def from_url(cls, url: str) -> RedisCache:
        """A cache on the Redis at ``url`` (``rediss://`` for TLS; IAM user when configured)."""
        return cls(redis_from_url(url))

    async def get(self, key: str) -> bytes | None:
        """The value under ``key``, or None."""
        try:
            value = await self.redis.get(key)
        except RedisError as exc:
            raise CacheUnavailableError(f"redis get failed: {type(exc).__name__}") from exc
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl_ms: int) -> None:
        """Store ``value`` for ``ttl_ms`` milliseconds."""
        if ttl_ms <= 0:
            raise ValueError("a cache entry needs a positive TTL")
        try:
            await self.redis.set(key, value, px=ttl_ms)
        except RedisError as exc:
            raise CacheUnavailableError(f"redis set failed: {type(exc).__name__}") from exc

    async def close(self) -> None:
        """Close the connection pool, unless it is shared."""
        if self.owned:
            await self.redis.aclose()
