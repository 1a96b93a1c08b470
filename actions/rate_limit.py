"""Attempt limits per email and per client address, counted in Redis.

A fixed window per key: the first attempt starts a window of ``window`` seconds and at
most ``limit`` attempts fit in it (10 per 5 minutes by default, like Nhost). Every attempt
counts, successful or not, so a script guessing passwords or codes is slowed whichever
answers it gets. The email and the address are limited separately: one address cannot try
many emails, and many addresses cannot hammer one email.
"""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis

from actions.errors import RateLimitedError

# Every key's count and TTL in one script call: one round trip per attempt. (A pipeline of
# per-key script calls costs two: redis-py sends SCRIPT EXISTS before each such pipeline.)
_INCR_WITH_WINDOW = """
local answers = {}
for _, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[1]) end
  answers[#answers + 1] = count
  answers[#answers + 1] = redis.call('TTL', key)
end
return answers
"""


class RateLimiter:
    """Counts attempts per (scope, kind, value) and refuses those past the limit."""

    def __init__(self, redis: Redis, limit: int, window: int, prefix: str = "ratelimit") -> None:
        self.redis = redis
        self.limit = limit
        self.window = window
        self.prefix = prefix
        self._script = redis.register_script(_INCR_WITH_WINDOW)

    def key(self, scope: str, kind: str, value: str) -> str:
        """The Redis key; the value is hashed so emails and addresses are not stored."""
        digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
        return f"{self.prefix}:{scope}:{kind}:{digest}"

    async def hit(self, scope: str, *, email: str | None, client_ip: str | None) -> None:
        """Count one attempt for each of ``email`` and ``client_ip`` that is known.

        Raises RateLimitedError (429, ``rate-limited``, ``retry_after`` seconds) past the limit.
        """
        keys = [self.key(scope, kind, value)
                for kind, value in (("email", email), ("ip", client_ip)) if value]
        if not keys:
            return
        # Both counts in one round trip (a login waits on it).
        answers = await self._script(keys=keys, args=[self.window])
        for count, ttl in zip(answers[::2], answers[1::2], strict=True):
            if int(count) > self.limit:
                raise RateLimitedError(
                    "Too many attempts; try again later.",
                    retry_after=max(int(ttl), 1), limit=self.limit, window=self.window,
                )
