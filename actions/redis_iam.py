"""Connecting to ElastiCache with IAM authentication: no Redis password exists anywhere.

ElastiCache (Redis OSS 7+) lets an RBAC user authenticate with a token signed by the
caller's IAM role (``elasticache:Connect``), in place of a password: a SigV4-presigned
``connect`` request for the replication group, valid 15 minutes. The service's Lambda role
signs one, redis-py sends it with the user id on each new connection, and the in-transit
TLS the replication group requires keeps it off the wire. Locally (``REDIS_IAM_USER``
unset) Redis is reached without credentials, on loopback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

import boto3
from botocore.model import ServiceId
from botocore.signers import RequestSigner
from pydantic_settings import BaseSettings, SettingsConfigDict
from redis.asyncio import BlockingConnectionPool, Redis
from redis.credentials import CredentialProvider

TOKEN_SECONDS = 900
"""How long ElastiCache accepts a token (its maximum)."""
REFRESH_SECONDS = 600
"""A token older than this is replaced before a new connection uses it."""


class ElastiCacheIamCredentials(CredentialProvider):
    """redis-py credentials: the IAM-enabled user and a fresh signed token."""

    def __init__(self, user_id: str, replication_group_id: str, region: str, *,
                 session: boto3.Session | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.user_id = user_id
        self.replication_group_id = replication_group_id
        self.region = region
        self.session = session or boto3.Session(region_name=region)
        self.clock = clock
        self._token: str | None = None
        self.signed_at = 0.0

    def token(self) -> str:
        """A token for ``connect`` as :attr:`user_id` (reused for ``REFRESH_SECONDS``)."""
        now = self.clock()
        if self._token is not None and now - self.signed_at < REFRESH_SECONDS:
            return self._token
        signer = RequestSigner(ServiceId("elasticache"), self.region, "elasticache", "v4",
                               self.session.get_credentials(), self.session.events)
        query = urlencode({"Action": "connect", "User": self.user_id})
        url = f"https://{self.replication_group_id}/?{query}"
        signed: str = signer.generate_presigned_url(
            {"method": "GET", "url": url, "body": {}, "headers": {}, "context": {}},
            operation_name="connect", expires_in=TOKEN_SECONDS, region_name=self.region)
        self._token = signed.removeprefix("https://")
        self.signed_at = now
        return self._token

    def get_credentials(self) -> tuple[str, str]:
        """(user id, token) for redis-py's AUTH."""
        return self.user_id, self.token()

    async def get_credentials_async(self) -> tuple[str, str]:
        """The same, for redis.asyncio (signing is local CPU work, no I/O)."""
        return self.get_credentials()


class RedisIamSettings(BaseSettings):
    """Whether the services authenticate to Redis with IAM (set by Terraform on AWS)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    redis_iam_user: str | None = None
    """ElastiCache user to authenticate as with IAM; unset: no Redis credentials."""
    redis_replication_group_id: str | None = None
    """The replication group the IAM token is signed for (with ``redis_iam_user``)."""
    aws_region: str = "us-east-1"
    """The region the token is signed in (Lambda sets ``AWS_REGION``)."""


def redis_from_url(url: str, settings: RedisIamSettings | None = None, *,
                   max_connections: int | None = None,
                   pool_timeout: float | None = None) -> Redis:
    """The client every service opens on ``url`` (rate limits, timeline cache, auctions).

    With ``REDIS_IAM_USER`` and ``REDIS_REPLICATION_GROUP_ID`` set (ElastiCache, as
    Terraform configures both services) each new connection authenticates as that user
    with a token signed by the function's role; without them, no credentials (the local
    loopback). With ``max_connections`` the pool blocks (up to ``pool_timeout`` seconds)
    once that many connections are in use, instead of failing.
    """
    iam = settings or RedisIamSettings()
    provider = None
    if iam.redis_iam_user and iam.redis_replication_group_id:
        provider = ElastiCacheIamCredentials(iam.redis_iam_user,
                                             iam.redis_replication_group_id, iam.aws_region)
    if max_connections is None:
        return Redis.from_url(url, credential_provider=provider)
    pool = BlockingConnectionPool.from_url(url, max_connections=max_connections,
                                           timeout=pool_timeout, credential_provider=provider)
    return Redis.from_pool(pool)  # the client owns the pool: closing it closes the connections
