"""Rate limits: operations per minute per role and client, over a sliding window.

Hasura counts "from the current time to the last one minute". Keeping every timestamp
would cost memory per request, so this keeps two one-minute counters per key (the current
minute and the one before) and weighs the previous one by how much of it still lies inside
the window: the usual sliding-window counter, exact when traffic is even and never off by
more than the previous minute's count. :class:`RateLimiter` keeps the counters in memory,
per engine process; :class:`engine.limits.shared_rate.SharedRateLimiter` keeps them in Redis
for every engine process at once (as Hasura does), counting here while Redis is unreachable.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Protocol

from engine.graphql.errors import GraphQLFieldError

WINDOW_SECONDS = 60.0
_PRUNE_EVERY = 4096


class Limiter(Protocol):
    """Where the rate-limit counters live (this process, or Redis for all processes)."""

    async def check(self, key: Hashable, limit: int, count: int = 1) -> float | None:
        """Record ``count`` operations for ``key`` if they fit; else the seconds to wait."""

    async def close(self) -> None:
        """Let go of any connection."""


def retry_after(previous: int, current: int, elapsed: float, limit: int,
                count: int) -> float | None:
    """None when ``count`` more operations fit the window, else the seconds to wait.

    ``previous`` and ``current`` are the counts of the last and this minute, ``elapsed`` the
    fraction of this minute gone; the previous minute weighs what of it is still inside.
    """
    used = previous * (1.0 - elapsed) + current
    if used + count <= limit:
        return None
    if previous and current + count <= limit:
        # Room appears as the previous minute slides out of the window.
        needed = (used + count - limit) / previous
        return max(1.0, math.ceil(needed * WINDOW_SECONDS))
    return max(1.0, math.ceil(WINDOW_SECONDS * (1.0 - elapsed)))


@dataclass
class _Bucket:
    minute: int
    current: int = 0
    previous: int = 0


class RateLimiter:
    """Counts operations per key and refuses those past the key's limit."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[Hashable, _Bucket] = {}
        self._calls = 0

    def admit(self, key: Hashable, limit: int, count: int = 1) -> float | None:
        """Record ``count`` operations for ``key`` when they fit under ``limit``.

        Returns None when admitted, else the seconds to wait before the window has room
        (nothing is recorded then).
        """
        now = self.clock()
        minute = int(now // WINDOW_SECONDS)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(minute)
        elif bucket.minute != minute:
            bucket.previous = bucket.current if bucket.minute == minute - 1 else 0
            bucket.current = 0
            bucket.minute = minute
        elapsed = (now % WINDOW_SECONDS) / WINDOW_SECONDS
        self._maybe_prune(minute)
        wait = retry_after(bucket.previous, bucket.current, elapsed, limit, count)
        if wait is None:
            bucket.current += count
        return wait

    async def check(self, key: Hashable, limit: int, count: int = 1) -> float | None:
        """:meth:`admit`, as every :class:`Limiter` answers."""
        return self.admit(key, limit, count)

    async def close(self) -> None:
        """Nothing to let go of."""

    def _maybe_prune(self, minute: int) -> None:
        self._calls += 1
        if self._calls % _PRUNE_EVERY:
            return
        stale = [k for k, b in self._buckets.items() if b.minute < minute - 1]
        for key in stale:
            del self._buckets[key]


def rate_limited(retry_after: float) -> GraphQLFieldError:
    """The error answered to an operation past its rate limit."""
    return GraphQLFieldError(
        f"rate limit exceeded; retry after {int(retry_after)} seconds", "rate-limit-exceeded")
