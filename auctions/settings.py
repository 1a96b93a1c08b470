"""Settings of the auction system, read once by each service that uses it.

The action service (bids, history) and the trigger service (channels, closing) read the
same variables. Nothing here is required to start those services: the auction handlers
answer a clear ``auctions-not-configured`` error when the engine or Redis is not set.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.config import load_settings
from common.secrets import secret_value


class AuctionSettings(BaseSettings):
    """Everything the auction code reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    redis_url: str | None = None
    hasura_graphql_endpoint: str | None = None
    """The engine's ``/v1/graphql`` (``/v1/metadata`` is next to it)."""
    hasura_graphql_admin_secret: SecretStr | None = None
    hasura_admin_secret_arn: str | None = None
    """Or: the Secrets Manager secret holding the admin secret (AWS)."""
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")
    bid_queue_name: str = "bid-persistence-queue.fifo"
    notification_queue_name: str = "notification-queue.fifo"
    bids_table: str = Field(default="bids_history", validation_alias="DYNAMODB_BIDS_TABLE")
    anti_snipe_seconds: float = 30.0
    """A bid this close to the end pushes the end back by as much."""
    bid_rate_limit: int = 10
    bid_rate_window_seconds: float = 1.0
    """At most ``bid_rate_limit`` bids per user per window (every attempt counts)."""
    close_webhook: str = "{{TRIGGERS_BASE_URL}}/scheduled/close-auction"
    """The close event's webhook, stored as a template the engine resolves at delivery."""
    outbox_batch: int = 100
    """Outbox entries forwarded per round (SQS batches of 10)."""

    @property
    def configured(self) -> bool:
        """Whether Redis and the engine are set (the bid path needs both)."""
        return bool(self.redis_url and self.hasura_graphql_endpoint and (
            self.hasura_graphql_admin_secret or self.hasura_admin_secret_arn))

    def admin_secret(self) -> str:
        """The engine's admin secret (from Secrets Manager when an ARN is set)."""
        value = secret_value(self.hasura_graphql_admin_secret, self.hasura_admin_secret_arn,
                             region=self.aws_region)
        assert value is not None, "admin secret not configured"
        return value


@cache
def get_auction_settings() -> AuctionSettings:
    """The settings, read on first use; a malformed one exits naming the variable."""
    return load_settings(AuctionSettings, "auctions")
