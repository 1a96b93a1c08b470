"""``homeTimeline(limit, before)``: unexpired posts, newest first, served from the cache.

One entry holds a page of up to :data:`PAGE_SIZE` posts: the newest ones (the head), or
those created before a cursor. A request takes the first ``limit`` posts of its entry. On a
miss the page is read through the engine and stored with a TTL that is the configured
maximum or the time until the earliest of its posts expires, whichever is shorter: a cached
entry never outlives a post it holds. When the cache fails, posts come from the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from timeline import generations
from timeline.cache.base import CacheUnavailableError, TimelineCache
from timeline.generations import Scope
from timeline.posts import PAGE_SIZE, Post, PostReader

logger = logging.getLogger("timeline.feed")


@dataclass(frozen=True)
class TimelinePage:
    """What ``homeTimeline`` answers."""

    posts: list[Post]
    cached: bool
    next_before: str | None
    """The cursor of the next page (the last post's ``created_at``), None at the end."""

    def as_json(self) -> dict[str, Any]:
        """The action's output (``HomeTimeline``)."""
        return {"posts": [p.as_json() for p in self.posts], "cached": self.cached,
                "next_before": self.next_before}


def entry_ttl_ms(posts: list[Post], now: datetime, max_ttl_ms: int) -> int:
    """How long an entry holding ``posts`` may live: at most until the first one expires."""
    if not posts:
        return max_ttl_ms
    earliest = min(p.expires for p in posts)
    return min(max_ttl_ms, int((earliest - now).total_seconds() * 1000))


def entry_key(generation: str, before: datetime | None) -> str:
    """The key of the entry for ``before`` (None: the head) in ``generation``."""
    if before is None:
        return f"timeline:head:{generation}"
    return f"timeline:page:{generation}:{before.astimezone(UTC).isoformat()}"


def _decode(raw: bytes) -> list[Post]:
    return [Post(**row) for row in orjson.loads(raw)]


def _encode(posts: list[Post]) -> bytes:
    return orjson.dumps([p.as_json() for p in posts])


class HomeTimeline:
    """The timeline over one cache and one post reader."""

    def __init__(self, cache: TimelineCache, reader: PostReader, max_ttl_ms: int) -> None:
        self.cache = cache
        self.reader = reader
        self.max_ttl_ms = max_ttl_ms

    async def read(self, limit: int, before: datetime | None) -> TimelinePage:
        """The first ``limit`` unexpired posts created before ``before`` (or the newest)."""
        if before is not None and before.tzinfo is None:
            before = before.replace(tzinfo=UTC)  # timestamptz without a zone means UTC here
        if before is not None and before > datetime.now(UTC):
            before = None  # every post was created before a cursor in the future
        key = await self._key(before)
        if key is not None:
            raw = await self._get(key)
            if raw is not None:
                return _page(_decode(raw), limit, cached=True)
        posts = await self.reader.page(before, PAGE_SIZE)
        if key is not None:
            ttl_ms = entry_ttl_ms(posts, datetime.now(UTC), self.max_ttl_ms)
            if ttl_ms > 0:
                await self._set(key, _encode(posts), ttl_ms)
        return _page(posts, limit, cached=False)

    async def _key(self, before: datetime | None) -> str | None:
        scope = Scope.HEAD if before is None else Scope.PAGES
        try:
            return entry_key(await generations.current(self.cache, scope), before)
        except CacheUnavailableError as exc:
            logger.warning("cache unavailable, reading posts from the database: %s", exc)
            return None

    async def _get(self, key: str) -> bytes | None:
        try:
            return await self.cache.get(key)
        except CacheUnavailableError as exc:
            logger.warning("cache unavailable, reading posts from the database: %s", exc)
            return None

    async def _set(self, key: str, value: bytes, ttl_ms: int) -> None:
        try:
            await self.cache.set(key, value, ttl_ms)
        except CacheUnavailableError as exc:
            logger.warning("cache unavailable, entry not stored: %s", exc)

    async def close(self) -> None:
        """Release the cache and the HTTP client."""
        await self.cache.close()
        await self.reader.close()


def _page(posts: list[Post], limit: int, *, cached: bool) -> TimelinePage:
    shown = posts[:limit]
    more = len(posts) > limit or len(posts) == PAGE_SIZE
    return TimelinePage(shown, cached, shown[-1].created_at if shown and more else None)
