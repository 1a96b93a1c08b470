"""The local repository: DuckDB over the Parquet files of a folder standing for the S3 prefix."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import duckdb

from credit_history.archive_mirror import S3ArchiveMirror
from credit_history.price_archive import (
    ARCHIVE_PREFIX,
    ARCHIVE_TABLE,
    ArchivedPriceRow,
    ArchiveQuery,
    archived_prices_sql,
    archived_row,
)
from credit_history.queries import batches, reports_sql
from credit_history.repository import CreditReportRow
from credit_history.seed import REPORTS_PREFIX


class DuckDBRepository:
    """Runs the service's SQL on DuckDB; ``credit_reports`` is a view over the Parquet files."""

    def __init__(self, data_dir: Path, archive_mirror: S3ArchiveMirror | None = None) -> None:
        files = data_dir / REPORTS_PREFIX
        if not any(files.glob("*.parquet")):
            raise FileNotFoundError(f"no Parquet files under {files} (run the seed command)")
        self.queries = 0
        self._archive = data_dir / ARCHIVE_PREFIX
        self._archive_view = False
        self._mirror = archive_mirror
        """Copies the archive from S3 first (locally: moto's bucket), when set."""
        self._lock = threading.Lock()
        self._db = duckdb.connect(":memory:")
        pattern = str(files / "*.parquet").replace("'", "''")
        # A path of our own settings (quotes doubled); DuckDB binds no parameters in DDL.
        self._db.execute("CREATE VIEW credit_reports AS SELECT * FROM "  # noqa: S608
                         f"read_parquet('{pattern}')")

    def reports(self, national_ids: Sequence[str]) -> list[CreditReportRow]:
        """Every report of the ids (one query per batch)."""
        out: list[CreditReportRow] = []
        for batch in batches(national_ids):
            with self._lock:  # one DuckDB connection: one statement at a time
                self.queries += 1
                rows = self._db.execute(reports_sql(len(batch)), list(batch)).fetchall()
            out.extend(CreditReportRow(r[0], r[1], r[2], int(r[3]), int(r[4]), float(r[5]),
                                       int(r[6])) for r in rows)
        return out

    def archived_prices(self, query: ArchiveQuery) -> list[ArchivedPriceRow]:
        """One symbol's archived prices (none while the archive folder has no file)."""
        if self._mirror is not None:
            self._mirror.sync()
        with self._lock:
            if not self._archive_view:
                if not any(self._archive.glob("dt=*/*.parquet")):
                    return []
                pattern = str(self._archive / "dt=*" / "*.parquet").replace("'", "''")
                # As Athena's table: dt a string partition column (hive layout), times as
                # UTC timestamps without a zone (Athena's timestamp type).
                self._db.execute(
                    f"CREATE VIEW {ARCHIVE_TABLE} AS SELECT * REPLACE ("  # noqa: S608
                    "timezone('UTC', source_time) AS source_time, "
                    "timezone('UTC', minute) AS minute, "
                    "timezone('UTC', created_at) AS created_at) "
                    f"FROM read_parquet('{pattern}', hive_partitioning = true, "
                    "hive_types = {'dt': VARCHAR})")
                self._archive_view = True
            self.queries += 1
            rows = self._db.execute(archived_prices_sql(query.limit),
                                    query.parameters()).fetchall()
        return [archived_row(r) for r in rows]

    def close(self) -> None:
        """Close the DuckDB connection."""
        self._db.close()
