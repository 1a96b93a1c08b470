"""The timeline's long-lived parts, built once per process from the settings."""

from __future__ import annotations

from redis.asyncio import Redis

from common.engine_client import AsyncEngineClient
from common.secrets import secret_value
from timeline.cache.factory import build_cache
from timeline.feed import HomeTimeline
from timeline.posts import PostReader
from timeline.settings import TimelineSettings


def build_home_timeline(settings: TimelineSettings, redis: Redis | None = None) -> HomeTimeline:
    """``homeTimeline`` over the configured cache, reading the engine as anonymous.

    ``redis``: a client on ``REDIS_URL`` the service already holds (its pool is shared).
    """
    client = AsyncEngineClient(settings.hasura_graphql_endpoint,
                          timeout=settings.graphql_timeout_seconds)
    return HomeTimeline(build_cache(settings, redis), PostReader(client),
                        int(settings.timeline_cache_ttl_seconds * 1000))


def build_admin_client(settings: TimelineSettings) -> AsyncEngineClient:
    """An engine client with the admin secret (the expiry sweep deletes as admin)."""
    secret = secret_value(settings.hasura_graphql_admin_secret, settings.hasura_admin_secret_arn,
                          region=settings.aws_region)
    if secret is None:
        raise SystemExit("timeline: setting HASURA_GRAPHQL_ADMIN_SECRET (or "
                         "HASURA_ADMIN_SECRET_ARN) is required for the expiry sweep")
    return AsyncEngineClient(settings.hasura_graphql_endpoint, admin_secret=secret,
                        timeout=settings.graphql_timeout_seconds)
