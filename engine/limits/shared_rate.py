"""Rate-limit counters shared by every engine process, in Redis (Hasura's rate-limit Redis).

``HASURA_GRAPHQL_RATE_LIMIT_REDIS_URL`` (else ``HASURA_GRAPHQL_REDIS_URL``) names the
server; ``rediss://`` for TLS. Each key has two one-minute counters, ``<key>:<minute>``,
and one script reads both and adds the operations only if they fit, so processes racing on
one key never admit more than the limit between them. Minutes come from Redis' own clock
(``TIME``), so engines whose clocks differ still share one window.

If Redis cannot be reached, the operation is counted in this process instead (the limit
then holds per process, as without Redis) and the outage is logged once, then summarised:
an unreachable Redis neither refuses every request nor lifts the limit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Hashable
from typing import Any

import orjson
import redis.asyncio as redis
from redis.exceptions import RedisError

from engine.limits.rate import WINDOW_SECONDS, RateLimiter, retry_after
from engine.repeated_warning import RepeatedWarning

logger = logging.getLogger("engine.limits")

KEY_PREFIX = "hasura-engine:rate:"
TIMEOUT_SECONDS = 0.5
"""How long a request waits for Redis before it is counted in this process instead."""

# KEYS[1]: the key's prefix. ARGV: limit, count, window seconds.
# Returns {admitted (0/1), previous, current, elapsed microseconds of this minute}.
_ADMIT = """
local now = redis.call('TIME')
local micros = tonumber(now[1]) * 1000000 + tonumber(now[2])
local window = tonumber(ARGV[3]) * 1000000
local minute = math.floor(micros / window)
local elapsed = micros - minute * window
local current_key = KEYS[1] .. ':' .. minute
local current = tonumber(redis.call('GET', current_key) or '0')
local previous = tonumber(redis.call('GET', KEYS[1] .. ':' .. (minute - 1)) or '0')
local limit, count = tonumber(ARGV[1]), tonumber(ARGV[2])
if previous * (1 - elapsed / window) + current + count > limit then
  return {0, previous, current, elapsed}
end
redis.call('INCRBY', current_key, count)
redis.call('EXPIRE', current_key, 2 * tonumber(ARGV[3]))
return {1, previous, current, elapsed}
"""


def redis_key(key: Hashable) -> str:
    """The Redis key prefix of a limiter key (role and client): bounded, no client text."""
    digest = hashlib.sha256(orjson.dumps(key, option=orjson.OPT_NON_STR_KEYS)).hexdigest()
    return f"{KEY_PREFIX}{{{digest[:32]}}}"


class SharedRateLimiter:
    """Counts in Redis for every engine process; in this process while Redis is away."""

    def __init__(self, url: str, local: RateLimiter | None = None) -> None:
        self.client: redis.Redis = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
        self.local = local or RateLimiter()
        self._script: Any = self.client.register_script(_ADMIT)
        self._warning = RepeatedWarning(
            logger, "rate limits: Redis is unreachable, counting in this process")

    async def check(self, key: Hashable, limit: int, count: int = 1) -> float | None:
        """Record ``count`` operations for ``key`` if they fit; else the seconds to wait."""
        try:
            admitted, previous, current, elapsed = await self._script(
                keys=[redis_key(key)], args=[limit, count, int(WINDOW_SECONDS)])
        except (RedisError, OSError) as exc:
            self._warning.failed(exc)
            return self.local.admit(key, limit, count)
        self._warning.succeeded()
        if admitted:
            return None
        fraction = int(elapsed) / (WINDOW_SECONDS * 1_000_000)
        wait = retry_after(int(previous), int(current), fraction, limit, count)
        return 1.0 if wait is None else wait

    async def close(self) -> None:
        """Close the connections to Redis."""
        await self.client.aclose()
