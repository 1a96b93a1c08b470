"""The action service's settings, read once at start-up from the environment (or `.env`).

A missing required setting stops the service at start-up with the setting's name.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, SecretStr

from common.config import load_settings
from common.service_settings import SharedSecretSettings


class ActionSettings(SharedSecretSettings):
    """Everything the service reads from its environment (the shared secret included)."""

    cognito_app_client_id: str
    cognito_app_client_secret: SecretStr | None = None
    """Set when the app client has a secret: requests then carry a SECRET_HASH."""
    cognito_user_pool_id: str | None = None
    """Needed for the admin sign-out of every session of the caller on ``logout``."""
    cognito_region: str = Field(default="us-east-1", validation_alias="COGNITO_REGION")
    cognito_endpoint_url: str | None = None
    """cognito-local's URL in the local stack; unset on AWS."""
    cognito_global_sign_out: bool = True
    """``logout`` also signs the caller out everywhere (AdminUserGlobalSignOut); cognito-local
    lacks that call, so the local stack turns it off and relies on revoking the token."""
    cognito_timeout_seconds: float = 10.0
    redis_url: str
    redis_max_connections: int = 100
    """Connections to Redis at most; a burst past them waits for a free one."""
    redis_pool_timeout_seconds: float = 10.0
    """How long a call waits for a free Redis connection before failing."""
    rate_limit_attempts: int = 10
    rate_limit_window_seconds: int = 300
    """10 attempts per 5 minutes per email and per client address, as Nhost allows."""
    rate_limit_trusted_hops: int = 1
    """Proxies that append to X-Forwarded-For in front of the engine (see client_ip)."""


@cache
def get_settings() -> ActionSettings:
    """The settings, read on first use; a wrong or missing one exits naming the variable."""
    return load_settings(ActionSettings, "action service")
