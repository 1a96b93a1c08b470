"""The trigger service's settings, read once at start-up from the environment (or `.env`).

A missing required setting stops the service at start-up with the setting's name.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.config import load_settings
from common.secrets import secret_value


class TriggerSettings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    action_shared_secret: SecretStr | None = None
    """The header value the engine sends (``X-Action-Secret``)."""
    action_shared_secret_arn: str | None = None
    """Or: the Secrets Manager secret that holds it (AWS)."""
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

    @model_validator(mode="after")
    def _one_secret_source(self) -> TriggerSettings:
        if self.action_shared_secret is None and not self.action_shared_secret_arn:
            raise ValueError("setting ACTION_SHARED_SECRET (or ACTION_SHARED_SECRET_ARN) is "
                             "required")
        return self


def shared_secret() -> str:
    """``ACTION_SHARED_SECRET``, or the value of ``ACTION_SHARED_SECRET_ARN`` (cached)."""
    settings = get_settings()
    value = secret_value(settings.action_shared_secret, settings.action_shared_secret_arn,
                         region=settings.aws_region)
    assert value is not None  # the validator guarantees one source
    return value


@cache
def get_settings() -> TriggerSettings:
    """The settings, read on first use; a wrong or missing one exits naming the variable."""
    return load_settings(TriggerSettings, "trigger service")
