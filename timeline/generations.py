"""Generations: how a whole class of cache entries is invalidated at once, without races.

Every entry's key carries the current generation of its scope (``head`` for the newest
posts, ``pages`` for older pages). Invalidating a scope writes a new random generation:
entries under the old one are never read again and expire on their own TTL. A reader reads
the generation *before* it reads the database, so an entry filled from data older than an
invalidation is stored under the generation that invalidation replaced, never the new one.
A missing generation (never written, expired or evicted) is replaced by a new one, so an
entry written before it went missing cannot come back.
"""

from __future__ import annotations

import enum
import secrets

from timeline.cache.base import TimelineCache

GENERATION_TTL_MS = 24 * 3600 * 1000
"""Far longer than any entry lives (entries are capped at an hour)."""


class Scope(enum.Enum):
    """A class of entries invalidated together."""

    HEAD = "head"
    """The newest posts (``homeTimeline`` without ``before``)."""
    PAGES = "pages"
    """Older pages (``homeTimeline(before: ...)``)."""


def generation_key(scope: Scope) -> str:
    """Where the current generation of ``scope`` is stored."""
    return f"timeline:generation:{scope.value}"


async def current(cache: TimelineCache, scope: Scope) -> str:
    """The generation entries of ``scope`` are stored under now (created when missing)."""
    found = await cache.get(generation_key(scope))
    if found:
        return found.decode()
    return await renew(cache, scope)


async def renew(cache: TimelineCache, scope: Scope) -> str:
    """Start a new generation of ``scope``: every entry stored so far is out of reach."""
    generation = secrets.token_hex(8)
    await cache.set(generation_key(scope), generation.encode(), GENERATION_TTL_MS)
    return generation
