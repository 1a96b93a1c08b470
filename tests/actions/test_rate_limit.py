"""The attempt limiter on a real Redis: both counts, the refusal, one round trip per attempt."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import Connection

from actions.errors import RateLimitedError
from actions.rate_limit import RateLimiter


class CountingConnection(Connection):
    """A connection that counts the packets it sends (one per round trip)."""

    sent = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        CountingConnection.sent += 1
        await super().send_packed_command(command, check_health)


async def test_rate_limiter_hit_counts_email_and_address_in_one_round_trip(
    redis_scratch_url: str,
) -> None:
    """GIVEN a limiter of 2 attempts per 60 s on a flushed database.

    WHEN one email is tried twice from one address, then a third time
    THEN the first two pass, each in a single request to Redis (no SCRIPT EXISTS before
    it), and the third is refused with a retry delay within the window.
    """
    pool = ConnectionPool.from_url(redis_scratch_url, connection_class=CountingConnection)
    redis = Redis.from_pool(pool)
    try:
        await redis.flushdb()
        limiter = RateLimiter(redis, limit=2, window=60)
        await limiter.hit("login", email="a@example.com", client_ip="10.0.0.1")
        CountingConnection.sent = 0
        await limiter.hit("login", email="a@example.com", client_ip="10.0.0.1")
        sent = CountingConnection.sent
        with pytest.raises(RateLimitedError) as refused:
            await limiter.hit("login", email="a@example.com", client_ip="10.0.0.2")
        email_count = await redis.get(limiter.key("login", "email", "a@example.com"))
        address_count = await redis.get(limiter.key("login", "ip", "10.0.0.1"))
        address_ttl = await redis.ttl(limiter.key("login", "ip", "10.0.0.1"))
    finally:
        await redis.aclose()

    assert sent == 1
    assert (email_count, address_count) == (b"3", b"2")
    assert 0 < address_ttl <= 60
    assert 1 <= refused.value.extensions["retry_after"] <= 60


async def test_rate_limiter_hit_reloads_its_script_after_a_flush(redis_scratch_url: str) -> None:
    """GIVEN a limiter whose script the server has forgotten (SCRIPT FLUSH, a restart).

    WHEN an attempt is counted
    THEN the script is loaded again and the attempt counted.
    """
    redis = Redis.from_url(redis_scratch_url)
    try:
        await redis.flushdb()
        limiter = RateLimiter(redis, limit=5, window=60)
        await limiter.hit("login", email="b@example.com", client_ip=None)
        await redis.script_flush()
        await limiter.hit("login", email="b@example.com", client_ip=None)
        count = await redis.get(limiter.key("login", "email", "b@example.com"))
    finally:
        await redis.aclose()

    assert count == b"2"
