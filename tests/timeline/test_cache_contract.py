"""Every timeline cache backend keeps the one interface's promises.

Redis is the real server; Momento is the SDK's real client against a server speaking
Momento's gRPC protocol (its service cannot run here, see ``momento_local``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from devstack.ports import free_port
from tests.timeline.momento_local import MomentoLocal
from timeline.cache.base import CacheUnavailableError, TimelineCache
from timeline.cache.disabled import NoCache
from timeline.cache.momento import MomentoCache
from timeline.cache.redis import RedisCache


@pytest.fixture(params=["redis", "momento"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[TimelineCache]:
    """Each backend, empty."""
    if request.param == "redis":
        url: str = request.getfixturevalue("redis_scratch_url")
        redis_cache = RedisCache.from_url(url)
        await redis_cache.redis.flushdb()
        yield redis_cache
        await redis_cache.close()
    else:
        async with MomentoLocal(["timeline"]) as local:
            momento = MomentoCache.connect(None, "timeline", local_address=local.address)
            yield momento
            await momento.close()


async def test_cache_contract_returns_what_was_set(cache: TimelineCache) -> None:
    """GIVEN an entry set with a TTL WHEN read THEN the same bytes; an unknown key is None."""
    await cache.set("timeline:head:g1", b'[{"id": 1}]', 10_000)

    assert await cache.get("timeline:head:g1") == b'[{"id": 1}]'
    assert await cache.get("timeline:head:other") is None


async def test_cache_contract_entries_expire_after_their_ttl(cache: TimelineCache) -> None:
    """Cache contract entries expire after their ttl.

    GIVEN one entry for 150 ms and one for 10 s WHEN 300 ms pass THEN only the second is
    left: each entry keeps its own TTL.
    """
    await cache.set("short", b"a", 150)
    await cache.set("long", b"b", 10_000)
    await asyncio.sleep(0.3)

    assert await cache.get("short") is None
    assert await cache.get("long") == b"b"


async def test_cache_contract_refuses_a_ttl_that_is_not_positive(cache: TimelineCache) -> None:
    """GIVEN a TTL of 0 WHEN set THEN ValueError (an entry must never live forever)."""
    with pytest.raises(ValueError, match="positive TTL"):
        await cache.set("k", b"v", 0)


async def test_cache_contract_a_failing_backend_raises_cache_unavailable() -> None:
    """Cache contract a failing backend raises cache unavailable.

    GIVEN a Redis and a Momento server that are not there WHEN read THEN
    CacheUnavailableError, never the client library's own exception.
    """
    redis_cache = RedisCache.from_url(f"redis://127.0.0.1:{free_port()}/0")
    local = MomentoLocal(["timeline"])  # never started
    momento = MomentoCache.connect(None, "timeline", local_address=local.address)
    try:
        with pytest.raises(CacheUnavailableError):
            await redis_cache.get("k")
        with pytest.raises(CacheUnavailableError):
            await momento.set("k", b"v", 1000)
    finally:
        await redis_cache.close()
        await momento.close()


async def test_cache_contract_momento_names_its_cache_on_every_request() -> None:
    """Cache contract momento names its cache on every request.

    GIVEN MOMENTO_CACHE_NAME=timeline WHEN the cache is used THEN every request names that
    cache (Momento's ``cache`` header), and a missing cache is an error, not a miss.
    """
    async with MomentoLocal(["timeline"]) as local:
        right = MomentoCache.connect(None, "timeline", local_address=local.address)
        wrong = MomentoCache.connect(None, "no-such-cache", local_address=local.address)
        try:
            await right.set("k", b"v", 1000)
            await right.get("k")
            with pytest.raises(CacheUnavailableError):
                await wrong.get("k")
        finally:
            await right.close()
            await wrong.close()

    assert local.requests[:2] == ["timeline", "timeline"]


async def test_cache_contract_no_cache_always_misses() -> None:
    """GIVEN TIMELINE_CACHE=none WHEN an entry is set THEN it is never found."""
    cache = NoCache()
    await cache.set("k", b"v", 1000)

    assert await cache.get("k") is None
