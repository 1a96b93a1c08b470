"""The cache the settings ask for (``TIMELINE_CACHE``: redis, momento or none)."""

from __future__ import annotations

from redis.asyncio import Redis

from common.secrets import secret_value
from timeline.cache.base import TimelineCache
from timeline.cache.disabled import NoCache
from timeline.cache.redis import RedisCache
from timeline.settings import TimelineSettings


def build_cache(settings: TimelineSettings, redis: Redis | None = None) -> TimelineCache:
    """A cache for the configured backend (Momento's SDK is imported only when chosen).

    ``redis``: a client the caller already holds on ``REDIS_URL``, to share its pool.
    """
    if settings.timeline_cache == "none":
        return NoCache()
    if settings.timeline_cache == "momento":
        from timeline.cache.momento import MomentoCache

        key = secret_value(settings.momento_api_key, settings.momento_api_key_arn,
                           region=settings.aws_region)
        return MomentoCache.connect(key, settings.momento_cache_name,
                                    endpoint=settings.momento_endpoint,
                                    local_address=settings.momento_local_address)
    assert settings.redis_url is not None  # the settings validator guarantees it
    if redis is not None:
        return RedisCache(redis, owned=False)
    return RedisCache.from_url(settings.redis_url)
