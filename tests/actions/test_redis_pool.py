"""The action service's Redis client: a blocking pool, with the IAM credentials on AWS."""

from __future__ import annotations

import asyncio
from typing import Any

from actions.app import redis_client
from actions.redis_iam import ElastiCacheIamCredentials, RedisIamSettings
from actions.settings import ActionSettings


def settings_for(redis_url: str, **extra: Any) -> ActionSettings:
    return ActionSettings(action_shared_secret="s", cognito_app_client_id="c",  # type: ignore[arg-type]
                          redis_url=redis_url, **extra)


async def test_redis_client_waits_for_a_free_connection_past_its_pool(
    redis_scratch_url: str,
) -> None:
    """GIVEN the service's Redis client with a pool of 3 connections.

    WHEN 12 calls that each hold a connection for 50 ms run at once
    THEN every call is answered (the burst waits in line instead of failing with
    "Too many connections"), over no more than 3 connections.
    """
    client = redis_client(settings_for(redis_scratch_url, redis_max_connections=3))
    try:
        answers = await asyncio.gather(*(client.blpop([f"empty-{n}"], timeout=0.05)
                                         for n in range(12)))
        pool: Any = client.connection_pool
        opened = len(pool._in_use_connections) + len(pool._available_connections)
    finally:
        await client.aclose()

    assert answers == [None] * 12
    assert opened == 3


async def test_redis_client_keeps_the_iam_credentials_in_its_pool() -> None:
    """GIVEN an ElastiCache IAM user and replication group in the Redis IAM settings.

    WHEN the client is built
    THEN every connection of its pool authenticates with the IAM credential provider.
    """
    iam = RedisIamSettings(redis_iam_user="svc", redis_replication_group_id="group")
    client = redis_client(settings_for("redis://127.0.0.1:1/0"), iam)
    try:
        provider = client.connection_pool.connection_kwargs["credential_provider"]
    finally:
        await client.aclose()

    assert isinstance(provider, ElastiCacheIamCredentials)
    assert (provider.user_id, provider.replication_group_id) == ("svc", "group")
