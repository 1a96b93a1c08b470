"""Rate limits: operations per minute per role and client, over a sliding window.

Hasura counts "from the current time to the last one minute". Keeping every timestamp
would cost memory per request, so this keeps two one-minute counters per key (the current
minute and the one before) and weighs the previous one by how much of it still lies inside
the window: the usual sliding-window counter, exact when traffic is even and never off by
more than the previous minute's count. State is in memory, per engine process.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from engine.graphql.errors import GraphQLFieldError

WINDOW_SECONDS = 60.0
_PRUNE_EVERY = 4096


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
        used = bucket.previous * (1.0 - elapsed) + bucket.current
        self._maybe_prune(minute)
        if used + count > limit:
            if bucket.previous and bucket.current + count <= limit:
                # Room appears as the previous minute slides out of the window.
                needed = (used + count - limit) / bucket.previous
                return max(1.0, math.ceil(needed * WINDOW_SECONDS))
            return max(1.0, math.ceil(WINDOW_SECONDS * (1.0 - elapsed)))
        bucket.current += count
        return None

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
