"""The timeline's settings, read once from the environment (or `.env`).

Both services that use the timeline (the action service serving ``homeTimeline`` and the
trigger service invalidating and sweeping) read these; a wrong one stops the service at
start-up with the setting's name.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.config import load_settings


class TimelineSettings(BaseSettings):
    """Where the cache and the engine are, and how long entries may live."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    timeline_cache: Literal["redis", "momento", "none"] = "redis"
    """Which backend holds the cached timeline (``none`` reads the database every time)."""
    redis_url: str | None = None
    """The Redis (ElastiCache on AWS) for ``TIMELINE_CACHE=redis``."""
    momento_api_key: SecretStr | None = None
    """The Momento API key for ``TIMELINE_CACHE=momento`` (local runs)..."""
    momento_api_key_arn: str | None = None
    """...or the Secrets Manager secret that holds it (AWS)."""
    momento_endpoint: str | None = None
    """The Momento endpoint of the API key's region (v2 API keys name none)."""
    momento_cache_name: str = "timeline"
    momento_local_address: str | None = None
    """``host:port`` of a Momento-compatible server on plain gRPC (tests), instead of
    Momento's service."""
    timeline_cache_ttl_seconds: float = Field(default=60.0, gt=0, le=3600)
    """The longest an entry lives; the earliest expiry of its posts can cut it shorter."""
    hasura_graphql_endpoint: str = "http://127.0.0.1:8080/v1/graphql"
    """Where the timeline reads posts (as the anonymous role, so permissions apply)."""
    graphql_timeout_seconds: float = 10.0
    hasura_graphql_admin_secret: SecretStr | None = None
    """The expiry sweep deletes as admin (local runs)..."""
    hasura_admin_secret_arn: str | None = None
    """...or with the admin secret held in Secrets Manager (AWS)."""
    sweep_batch_size: int = Field(default=500, ge=1, le=10_000)
    """Posts deleted per batch by the expiry sweep (a cron payload's ``batch_size`` wins)."""
    sweep_max_batches: int = Field(default=100, ge=1)
    """Batches per sweep run; the next run goes on with what is left."""
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")

    @model_validator(mode="after")
    def _backend_is_configured(self) -> TimelineSettings:
        if self.timeline_cache == "redis" and not self.redis_url:
            raise ValueError("setting REDIS_URL is required when TIMELINE_CACHE=redis")
        if self.timeline_cache == "momento" and not self.momento_local_address and (
                (self.momento_api_key is None and not self.momento_api_key_arn)
                or not self.momento_endpoint):
            raise ValueError("settings MOMENTO_API_KEY (or MOMENTO_API_KEY_ARN) and "
                             "MOMENTO_ENDPOINT are required when TIMELINE_CACHE=momento")
        return self


@cache
def get_timeline_settings() -> TimelineSettings:
    """The settings, read on first use; a wrong or missing one exits naming the variable."""
    return load_settings(TimelineSettings, "timeline")

