"""The local stand-in for Athena reading the archive in S3: a mirror of the archive prefix.

On AWS Athena reads ``s3://<bucket>/<data prefix>crypto_prices_archive/`` itself. Locally the
trigger service uploads the archive to moto's bucket, and DuckDB (without network
extensions) reads files: before an archive query, the DuckDB backend copies the archive
objects it does not have yet (or whose size changed) into its data folder, under the same
keys. Files are downloaded beside their place and renamed, so a query never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from credit_history.price_archive import ARCHIVE_PREFIX


class S3ArchiveMirror:
    """Copies ``<prefix>crypto_prices_archive/**.parquet`` of a bucket into ``data_dir``."""

    def __init__(self, s3: Any, bucket: str, data_prefix: str, data_dir: Path) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.prefix = data_prefix + ARCHIVE_PREFIX
        self.target = data_dir / ARCHIVE_PREFIX
        self.downloads = 0
        """Files copied since start (the tests read it)."""

    def sync(self) -> None:
        """Copy the archive files that are new or changed (boto3 raises when S3 fails)."""
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents") or ():
                key = str(item["Key"])
                relative = key[len(self.prefix):]
                if not key.endswith(".parquet") or ".." in Path(relative).parts:
                    continue
                local = self.target / relative
                if local.exists() and local.stat().st_size == int(item["Size"]):
                    continue
                local.parent.mkdir(parents=True, exist_ok=True)
                handle, partial = tempfile.mkstemp(dir=local.parent, suffix=".part")
                os.close(handle)
                try:
                    self.s3.download_file(self.bucket, key, partial)
                    os.replace(partial, local)
                finally:
                    if os.path.exists(partial):
                        os.unlink(partial)
                self.downloads += 1
