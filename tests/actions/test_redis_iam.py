"""IAM authentication to ElastiCache: the signed token, and redis-py sending it (real Redis)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs

import boto3
import pytest
import redis
from redis.asyncio import Redis

from actions.redis_iam import REFRESH_SECONDS, ElastiCacheIamCredentials, redis_from_url
from devstack.services.redis import RedisServer
from timeline.cache.redis import RedisCache


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _provider(clock: Clock) -> ElastiCacheIamCredentials:
    session = boto3.Session(aws_access_key_id="AKIDEXAMPLE",
                            aws_secret_access_key="not-a-real-key",
                            region_name="eu-west-1")
    return ElastiCacheIamCredentials("app-dev-svc", "app-dev", "eu-west-1", session=session,
                                     clock=clock)


def test_elasticache_iam_token_is_a_presigned_connect_for_the_user() -> None:
    """Elasticache iam token is a presigned connect for the user.

    GIVEN IAM credentials WHEN a token is made THEN it is the replication group's presigned
    ``connect`` for the user (SigV4, 15 minutes), reused for 10 minutes, then replaced.
    """
    clock = Clock()
    provider = _provider(clock)
    user, token = provider.get_credentials()
    host, _, query = token.partition("/?")
    params = parse_qs(query)
    assert (user, host) == ("app-dev-svc", "app-dev")
    assert params["Action"] == ["connect"]
    assert params["User"] == ["app-dev-svc"]
    assert params["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert params["X-Amz-Expires"] == ["900"]
    assert params["X-Amz-Credential"][0].startswith("AKIDEXAMPLE/")
    assert "/eu-west-1/elasticache/aws4_request" in params["X-Amz-Credential"][0]
    first_signed = provider.signed_at
    clock.now += REFRESH_SECONDS - 1
    assert provider.token() == token
    assert provider.signed_at == first_signed
    clock.now += 2
    provider.token()
    assert provider.signed_at == clock.now


async def test_redis_client_authenticates_as_the_iam_user(redis_server: RedisServer) -> None:
    """Redis client authenticates as the iam user.

    GIVEN a Redis whose ACL has the user with the token as its password (standing in for
    ElastiCache's IAM check) and the default user off for this test's keys WHEN redis-py
    connects with the provider THEN it runs the rate limiter's commands as that user.
    """
    provider = _provider(Clock())
    user, token = provider.get_credentials()
    prefix = f"iam-{uuid.uuid4().hex[:8]}"
    admin = redis.Redis.from_url(redis_server.url())
    try:
        admin.acl_setuser(user, enabled=True, passwords=[f"+{token}"], keys=[f"{prefix}:*"],
                          commands=["-@all", "+incrby", "+expire", "+ttl", "+ping"])
        client = Redis.from_url(redis_server.url(), credential_provider=provider)
        try:
            assert await client.incr(f"{prefix}:n") == 1
            with pytest.raises(redis.exceptions.NoPermissionError):
                await client.get(f"{prefix}:n")  # not granted: the session is that user's
        finally:
            await client.aclose()
    finally:
        admin.acl_deluser(user)
        admin.close()


@pytest.mark.parametrize("opener", ["redis_from_url", "timeline_cache"])
async def test_redis_from_url_connects_as_the_iam_user_when_configured(
        redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, opener: str) -> None:
    """Redis from url connects as the IAM user when configured.

    GIVEN REDIS_IAM_USER and REDIS_REPLICATION_GROUP_ID (as Terraform sets them) and a Redis
    whose ACL knows that user WHEN a service opens its client (the shared factory, and the
    timeline cache through it) THEN the connection is that user's, not the default one;
    without the variables it is the default user's.
    """
    user = f"svc-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-key")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    admin = redis.Redis.from_url(redis_server.url())
    # Any password: the token's signature is ElastiCache's to check, the user name is ours.
    admin.acl_setuser(user, enabled=True, nopass=True, keys=["*"], commands=["+@all"])

    async def whoami() -> str:
        if opener == "timeline_cache":
            cache = RedisCache.from_url(redis_server.url())
            try:
                name = await cache.redis.acl_whoami()
            finally:
                await cache.close()
        else:
            client = redis_from_url(redis_server.url())
            try:
                name = await client.acl_whoami()
            finally:
                await client.aclose()
        return name.decode() if isinstance(name, bytes) else str(name)

    try:
        assert await whoami() == "default"
        monkeypatch.setenv("REDIS_IAM_USER", user)
        monkeypatch.setenv("REDIS_REPLICATION_GROUP_ID", "app-dev")
        assert await whoami() == user
    finally:
        admin.acl_deluser(user)
        admin.close()
