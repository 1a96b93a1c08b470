"""The credit-history service (``credit_history``) in the local stack: DuckDB over Parquet.

Before it starts, the synthetic Parquet data is written under the state folder (the local
stand-in for the S3 prefix) and, when moto runs, uploaded to its S3 bucket too; the price
archive the trigger service writes to that bucket is then copied in before archive queries.
"""

from __future__ import annotations

import logging
from pathlib import Path

import httpx

from devstack.services.http import HttpService, uvicorn_argv
from devstack.services.moto import LOCAL_CREDENTIALS, client
from devstack.settings import StackSettings

logger = logging.getLogger("devstack.credit_history")

BUCKET = "analytics-data"
"""moto's bucket standing for the data bucket (Terraform's storage module)."""
DATA_PREFIX = "athena-data/"
"""The tables' prefix in that bucket (the storage module's ``data_prefix``)."""


def credit_history_url(settings: StackSettings) -> str:
    """The service's GraphQL URL (the engine reads it as ``CREDIT_HISTORY_URL``)."""
    return f"http://127.0.0.1:{settings.credit_history_port}/graphql"


class CreditHistoryService(HttpService):
    """uvicorn serving ``credit_history.app`` on ``CREDIT_HISTORY_PORT``."""

    def __init__(self, settings: StackSettings, *, port: int | None = None,
                 data_dir: Path | None = None, upload: bool = True,
                 people: int | None = None) -> None:
        port = port or settings.credit_history_port
        self.people = people
        self.data_dir = data_dir or settings.state_dir / "credit-history-data"
        self.upload = upload
        env = {"CREDIT_HISTORY_BACKEND": "duckdb",
               "CREDIT_HISTORY_DATA_DIR": str(self.data_dir),
               # The engine sends it as X-Action-Secret (remote_schemas.yaml headers).
               "ACTION_SHARED_SECRET": settings.action_shared_secret}
        if upload:
            # The trigger service archives prices to moto's bucket: archive queries copy
            # them into the data folder first (Athena reads the bucket itself on AWS).
            env.update({"CREDIT_HISTORY_ARCHIVE_BUCKET": BUCKET,
                        "CREDIT_HISTORY_ARCHIVE_DATA_PREFIX": DATA_PREFIX,
                        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{settings.moto_port}",
                        "AWS_REGION": settings.aws_region,
                        "AWS_DEFAULT_REGION": settings.aws_region, **LOCAL_CREDENTIALS})
        super().__init__(
            settings, "credit-history", port,
            [*uvicorn_argv("credit_history.app:app", port), "--factory"],
            description="credit history over Parquet (DuckDB stands in for Athena)",
            env=env)

    def stats(self) -> dict[str, int]:
        """The service's counters (GraphQL requests, repository queries)."""
        response = httpx.get(self.url() + "/stats", timeout=5.0,
                             headers={"X-Action-Secret": self.settings.action_shared_secret})
        response.raise_for_status()
        return {k: int(v) for k, v in response.json().items()}

    def start(self) -> None:
        """Write the data (and upload it to moto's S3), then start the server."""
        from credit_history.seed import upload, write_local

        if self.people is None:
            write_local(self.data_dir)
        else:
            write_local(self.data_dir, self.people)
        if self.upload:
            s3 = client("s3", f"http://127.0.0.1:{self.settings.moto_port}",
                        self.settings.aws_region)
            s3.create_bucket(Bucket=BUCKET)
            upload(self.data_dir, s3, BUCKET, DATA_PREFIX)
        super().start()
