"""The trigger service's settings, read once at start-up from the environment (or `.env`).

A missing required setting stops the service at start-up with the setting's name.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field

from common.config import load_settings
from common.service_settings import SharedSecretSettings


class TriggerSettings(SharedSecretSettings):
    """Everything the service reads from its environment (the shared secret included)."""

    lambda_endpoint_url: str | None = None
    """The local Lambda Invoke API in the stack; unset on AWS (the real Lambda service)."""
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")
    coinbase_function_name: str = "coinbase_prices"
    """The Lambda the price cron invokes (a name or an ARN)."""
    lambda_timeout_seconds: float = 70.0
    """How long to wait for the Lambda's answer (its own timeout is shorter)."""
    price_archive_bucket: str | None = None
    """The bucket old prices are archived to (the data bucket); unset: the cron answers 502."""
    price_archive_data_prefix: str = "athena-data/"
    """The tables' prefix in that bucket (the Glue table reads ``crypto_prices_archive/``)."""
    price_archive_retention_days: int = 30
    """Days of prices kept in PostgreSQL (a cron payload's ``retention_days`` wins)."""


def shared_secret() -> str:
    """``ACTION_SHARED_SECRET``, or the value of ``ACTION_SHARED_SECRET_ARN`` (cached)."""
    settings = get_settings()
    return settings.shared_secret(settings.aws_region)


@cache
def get_settings() -> TriggerSettings:
    """The settings, read on first use; a wrong or missing one exits naming the variable."""
    return load_settings(TriggerSettings, "trigger service")
