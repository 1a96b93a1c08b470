"""The trigger service's settings, read once at start-up from the environment (or `.env`).

A missing required setting stops the service at start-up with the setting's name.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class TriggerSettings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    action_shared_secret: SecretStr
    """The header value the engine sends (``X-Action-Secret``)."""
    lambda_endpoint_url: str | None = None
    """The local Lambda Invoke API in the stack; unset on AWS (the real Lambda service)."""
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")
    coinbase_function_name: str = "coinbase_prices"
    """The Lambda the price cron invokes (a name or an ARN)."""
    lambda_timeout_seconds: float = 70.0
    """How long to wait for the Lambda's answer (its own timeout is shorter)."""


@cache
def get_settings() -> TriggerSettings:
    """The settings, read on first use; a missing one exits naming the variable."""
    try:
        return TriggerSettings()  # type: ignore[call-arg]  # filled from the environment
    except ValidationError as exc:
        missing = [".".join(str(p) for p in e["loc"]).upper() or e["msg"] for e in exc.errors()]
        raise SystemExit(f"trigger service: invalid or missing settings: {missing}") from exc
