"""The service's settings, read once from the environment.

``CREDIT_HISTORY_BACKEND`` picks the repository: ``duckdb`` (local; needs
``CREDIT_HISTORY_DATA_DIR``) or ``athena`` (needs ``ATHENA_WORKGROUP`` and
``ATHENA_DATABASE``). Requests must carry ``X-Action-Secret``: the shared secret Hasura sends
to every service of this project (``ACTION_SHARED_SECRET``, or on AWS the Secrets Manager
secret ``ACTION_SHARED_SECRET_ARN`` names). A missing required setting fails at start-up
with its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from common.config import Environ, Secret, SettingsError
from common.shared_secret import shared_secret


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
    archive_bucket: str | None = None
    """``CREDIT_HISTORY_ARCHIVE_BUCKET``, duckdb backend only: the bucket whose price archive
    is copied into the data folder before an archive query (locally moto's)."""
    archive_data_prefix: str = "athena-data/"
    """``CREDIT_HISTORY_ARCHIVE_DATA_PREFIX``: the tables' prefix in that bucket."""
    shared_secret: Secret | None = field(default=None, repr=False)
    """The ``X-Action-Secret`` every request must carry (None: no check, tests only)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CreditHistorySettings:
        """Read the settings from ``env`` (default: the process environment).

        Raises:
            SettingsError: the backend is unknown or its required settings are missing.
        """
        read = Environ(env)
        backend = read.text("CREDIT_HISTORY_BACKEND", "duckdb").lower()
        if backend not in ("duckdb", "athena"):
            raise SettingsError(f"setting CREDIT_HISTORY_BACKEND must be duckdb or athena, "
                                f"got {backend!r}")
        data_dir = (read.required("CREDIT_HISTORY_DATA_DIR",
                                  "with the duckdb backend: the folder holding "
                                  "credit_history/reports/") if backend == "duckdb" else None)
        athena = backend == "athena"
        timeout = read.number("ATHENA_QUERY_TIMEOUT_SECONDS", 30.0)
        if timeout <= 0:
            raise SettingsError("setting ATHENA_QUERY_TIMEOUT_SECONDS must be positive")
        region = read.optional("AWS_REGION") or read.optional("AWS_DEFAULT_REGION")
        return cls(
            backend=backend, data_dir=Path(data_dir) if data_dir else None,
            athena_workgroup=(read.required("ATHENA_WORKGROUP", "with the athena backend")
                              if athena else read.optional("ATHENA_WORKGROUP")),
            athena_database=(read.required("ATHENA_DATABASE", "with the athena backend")
                             if athena else read.optional("ATHENA_DATABASE")),
            athena_timeout_seconds=timeout, aws_region=region,
            aws_endpoint_url=read.optional("AWS_ENDPOINT_URL"),
            archive_bucket=(read.optional("CREDIT_HISTORY_ARCHIVE_BUCKET")
                            if backend == "duckdb" else None),
            archive_data_prefix=read.text("CREDIT_HISTORY_ARCHIVE_DATA_PREFIX", "athena-data/"),
            shared_secret=shared_secret(env, region=region))
