"""The pydantic-settings base of the services Hasura calls with the shared secret.

The action and trigger services parse every payload with pydantic and declare their
settings as pydantic-settings models (built through :func:`common.config.load_settings`).
Both take the shared secret from the same two settings, checked here once: a model that
derives from :class:`SharedSecretSettings` refuses to start without either.
"""

from __future__ import annotations

from typing import Self

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.secrets import secret_value


class SharedSecretSettings(BaseSettings):
    """Settings read from the environment (or ``.env``), with the shared secret's sources."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    action_shared_secret: SecretStr | None = None
    """The header value the engine sends (``X-Action-Secret``)."""
    action_shared_secret_arn: str | None = None
    """Or: the Secrets Manager secret that holds it (AWS)."""

    @model_validator(mode="after")
    def _one_secret_source(self) -> Self:
        if self.action_shared_secret is None and not self.action_shared_secret_arn:
            raise ValueError("setting ACTION_SHARED_SECRET (or ACTION_SHARED_SECRET_ARN) is "
                             "required")
        return self

    def shared_secret(self, region: str | None = None) -> str:
        """``ACTION_SHARED_SECRET``, or the value of ``ACTION_SHARED_SECRET_ARN`` (cached)."""
        value = secret_value(self.action_shared_secret, self.action_shared_secret_arn,
                             region=region)
        assert value is not None  # the validator guarantees one source
        return value
