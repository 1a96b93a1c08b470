"""Archiving one day at a time: read through the engine, write Parquet, upload, then delete.

Rows are deleted by the ids that were written, and only once the upload succeeded: a failed
upload deletes nothing, and a failed delete leaves rows that the next run writes again under
the same key (the file name holds the first and last id), so nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import duckdb

ARCHIVE_PREFIX = "crypto_prices_archive/"
"""Under the data prefix: ``crypto_prices_archive/dt=YYYY-MM-DD/part-<first>-<last>.parquet``."""
COLUMNS = ("id", "asset_symbol", "quote_currency", "price", "bid", "ask", "volume",
           "source_time", "minute", "created_at")
OLDEST = """query($before: timestamptz!) {
  crypto_prices(where: {minute: {_lt: $before}}, order_by: {minute: asc}, limit: 1) { minute }
}"""
DAY_ROWS = """query($from: timestamptz!, $to: timestamptz!) {
  crypto_prices(where: {minute: {_gte: $from, _lt: $to}}, order_by: {id: asc}) {
    id asset_symbol quote_currency price bid ask volume source_time minute created_at
  }
}"""
DELETE = """mutation($ids: [bigint!]!) {
  delete_crypto_prices(where: {id: {_in: $ids}}) { affected_rows }
}"""

Execute = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
"""Runs a GraphQL document as admin; its ``data``."""


class ArchiveStore(Protocol):
    """Where archive files go (S3, or a folder standing for it)."""

    def put(self, path: Path, key: str) -> None:
        """Store the file at ``key``; raises when it was not stored."""
        ...


@dataclass
class ArchiveReport:
    """What one run did."""

    days: list[str] = field(default_factory=list)
    rows: int = 0
    files: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The cron trigger's answer."""
        return {"days": self.days, "rows": self.rows, "files": self.files}


def write_parquet(rows: list[dict[str, Any]], target: Path) -> None:
    """The rows as one Parquet file (numbers as text: no precision lost on the way)."""
    db = duckdb.connect(":memory:")
    try:
        db.execute("CREATE TABLE prices (id BIGINT, asset_symbol VARCHAR, quote_currency VARCHAR,"
                   " price VARCHAR, bid VARCHAR, ask VARCHAR, volume VARCHAR,"
                   " source_time TIMESTAMPTZ, minute TIMESTAMPTZ, created_at TIMESTAMPTZ)")
        db.executemany("INSERT INTO prices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [tuple(_text(r.get(c)) if c in ("price", "bid", "ask", "volume")
                              else r.get(c) for c in COLUMNS) for r in rows])
        path = str(target).replace("'", "''")
        # A path of our own making (quotes doubled): DuckDB binds no parameters in COPY.
        db.execute(f"COPY prices TO '{path}' (FORMAT PARQUET)")
    finally:
        db.close()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


async def archive_prices(execute: Execute, store: ArchiveStore, data_prefix: str,
                         retention_days: int, max_days: int,
                         now: datetime | None = None) -> ArchiveReport:
    """Archive whole days older than ``retention_days``, oldest first, at most ``max_days``."""
    if retention_days < 1 or max_days < 1:
        raise ValueError("retention_days and max_days must be at least 1")
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    cutoff = today - timedelta(days=retention_days)
    report = ArchiveReport()
    for _ in range(max_days):
        oldest = (await execute(OLDEST, {"before": _start(cutoff).isoformat()}))["crypto_prices"]
        if not oldest:
            break
        day = datetime.fromisoformat(oldest[0]["minute"]).astimezone(UTC).date()
        rows = (await execute(DAY_ROWS, {"from": _start(day).isoformat(),
                                         "to": _start(day + timedelta(days=1)).isoformat()}
                              ))["crypto_prices"]
        ids = [int(r["id"]) for r in rows]
        key = (f"{data_prefix}{ARCHIVE_PREFIX}dt={day.isoformat()}/"
               f"part-{min(ids)}-{max(ids)}.parquet")
        with tempfile.TemporaryDirectory(prefix="price-archive-") as tmp:
            local = Path(tmp) / "part.parquet"
            for row in rows:
                for column in ("source_time", "minute", "created_at"):
                    if row.get(column) is not None:
                        row[column] = datetime.fromisoformat(row[column])
            write_parquet(rows, local)
            await asyncio.to_thread(store.put, local, key)  # raises: nothing is deleted
        deleted = (await execute(DELETE, {"ids": ids}))["delete_crypto_prices"]["affected_rows"]
        report.days.append(day.isoformat())
        report.rows += int(deleted)
        report.files.append(key)
    return report


def _start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class S3Store:
    """Archive files in an S3 bucket (encrypted by the bucket's default key)."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def put(self, path: Path, key: str) -> None:
        """Upload ``path`` to ``key`` (boto3 raises when it fails)."""
        self.s3.upload_file(str(path), self.bucket, key)
