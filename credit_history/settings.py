"""The service's settings, read once from the environment.

``CREDIT_HISTORY_BACKEND`` picks the repository: ``duckdb`` (local; needs
``CREDIT_HISTORY_DATA_DIR``) or ``athena`` (needs ``ATHENA_WORKGROUP`` and
``ATHENA_DATABASE``). Requests must carry ``X-Action-Secret``: the shared secret Hasura sends
to every service of this project (``ACTION_SHARED_SECRET``, or on AWS the Secrets Manager
secret ``ACTION_SHARED_SECRET_ARN`` names). A missing required setting fails at start-up
with its name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from common.config import Secret
from common.secrets import read_secret


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class CreditHistorySettings:
    """Everything the service needs, typed."""

    backend: str = "duckdb"
    data_dir: Path | None = None
    athena_workgroup: str | None = None
    athena_database: str | None = None
    athena_timeout_seconds: float = 30.0
    aws_region: str | None = None
    aws_endpoint_url: str | None = None
    """moto's URL locally; unset on AWS."""
    shared_secret: Secret | None = field(default=None, repr=False)
    """The ``X-Action-Secret`` every request must carry (None: no check, tests only)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CreditHistorySettings:
        """Read the settings.

        Raises:
            SettingsError: the backend is unknown or its required settings are missing.
        """
        env = os.environ if env is None else env
        backend = env.get("CREDIT_HISTORY_BACKEND", "duckdb").strip().lower()
        data_dir = env.get("CREDIT_HISTORY_DATA_DIR")
        settings = cls(
            backend=backend, data_dir=Path(data_dir) if data_dir else None,
            athena_workgroup=env.get("ATHENA_WORKGROUP") or None,
            athena_database=env.get("ATHENA_DATABASE") or None,
            athena_timeout_seconds=_positive(env, "ATHENA_QUERY_TIMEOUT_SECONDS", 30.0),
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            shared_secret=_shared_secret(env))
        if backend == "duckdb":
            if settings.data_dir is None:
                raise SettingsError("CREDIT_HISTORY_DATA_DIR is required with the duckdb "
                                    "backend (the folder holding credit_history/reports/)")
        elif backend == "athena":
            for name, value in (("ATHENA_WORKGROUP", settings.athena_workgroup),
                                ("ATHENA_DATABASE", settings.athena_database)):
                if not value:
                    raise SettingsError(f"{name} is required with the athena backend")
        else:
            raise SettingsError(f"CREDIT_HISTORY_BACKEND must be duckdb or athena, not "
                                f"{backend!r}")
        return settings


def _shared_secret(env: Mapping[str, str]) -> Secret:
    if env.get("ACTION_SHARED_SECRET"):
        return Secret(env["ACTION_SHARED_SECRET"])
    if env.get("ACTION_SHARED_SECRET_ARN"):
        return read_secret(env["ACTION_SHARED_SECRET_ARN"])
    raise SettingsError("ACTION_SHARED_SECRET (or ACTION_SHARED_SECRET_ARN) is required: "
                        "the secret Hasura sends as X-Action-Secret")


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive")
    return value
