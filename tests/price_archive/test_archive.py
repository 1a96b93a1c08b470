"""The price archive against the project's engine: Parquet per day, deleted only once stored."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import psycopg
import pytest

from credit_history.price_archive import ARCHIVE_PREFIX
from devstack.services.credit_history import CreditHistoryService
from price_archive.archive import archive_prices
from tests.hasura.conftest import HasuraTarget

NOW = datetime(2024, 6, 20, 12, 0, tzinfo=UTC)


class FolderStore:
    """A folder standing for the bucket."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, path: Path, key: str) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


class BrokenStore:
    """A bucket that refuses every upload."""

    def put(self, path: Path, key: str) -> None:
        raise OSError("upload refused")


@pytest.fixture
def old_prices(hasura: HasuraTarget) -> Iterator[str]:
    assert hasura.database_url is not None
    with psycopg.connect(hasura.database_url, autocommit=True) as conn:
        symbol = conn.execute("SELECT symbol FROM crypto_assets LIMIT 1").fetchone()
        assert symbol is not None
        conn.execute(
            "INSERT INTO crypto_prices (asset_symbol, price, minute) SELECT %s, 100 + n, "
            "timestamptz '2024-05-01 23:00Z' + make_interval(mins => n * 30) "
            "FROM generate_series(0, 3) n", (symbol[0],))  # May 1 23:00, 23:30; May 2 00:00, 00:30
        conn.execute("INSERT INTO crypto_prices (asset_symbol, price, minute) "
                     "VALUES (%s, 1, '2024-06-19 10:00Z')", (symbol[0],))
        yield symbol[0]
        conn.execute("DELETE FROM crypto_prices WHERE minute < '2024-07-01'")


def _executor(hasura: HasuraTarget) -> Any:
    async def execute(document: str, variables: dict[str, Any]) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=30) as http:
            answer = await http.post(hasura.graphql_url, json={
                "query": document, "variables": variables},
                headers={"X-Hasura-Admin-Secret": hasura.admin_secret})
        body = answer.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    return execute


def _parquet_files(root: Path) -> list[Path]:
    return sorted(root.glob("athena-data/crypto_prices_archive/dt=*/part-*.parquet"))


def _prices(path: Path) -> list[str]:
    db = duckdb.connect(":memory:")
    try:
        rows = db.execute("SELECT price FROM read_parquet(?) ORDER BY id", [str(path)]).fetchall()
    finally:
        db.close()
    return [str(r[0]) for r in rows]


def _remaining(hasura: HasuraTarget) -> list[str]:
    assert hasura.database_url is not None
    with psycopg.connect(hasura.database_url) as conn:
        return [r[0].isoformat() for r in conn.execute(
            "SELECT minute FROM crypto_prices WHERE minute < '2024-07-01' ORDER BY minute")]


async def test_price_archive_writes_a_parquet_file_per_day_then_deletes(
        hasura: HasuraTarget, old_prices: str, tmp_path: Path) -> None:
    """Price archive writes a parquet file per day then deletes.

    GIVEN prices on May 1, May 2 and June 19 WHEN the archive keeps 30 days THEN May 1 and 2
    are each a Parquet file under dt=<day>/ with their rows, and only June 19 stays.
    """
    report = await archive_prices(_executor(hasura), FolderStore(tmp_path), "athena-data/",
                                  retention_days=30, max_days=7, now=NOW)
    assert report.days == ["2024-05-01", "2024-05-02"]
    assert report.rows == 4
    files = _parquet_files(tmp_path)
    assert [f.parent.name for f in files] == ["dt=2024-05-01", "dt=2024-05-02"]
    assert [_prices(f) for f in files] == [["100", "101"], ["102", "103"]]
    assert _remaining(hasura) == ["2024-06-19T10:00:00+00:00"]


async def test_price_archive_deletes_nothing_when_the_upload_fails(
        hasura: HasuraTarget, old_prices: str) -> None:
    """Price archive deletes nothing when the upload fails.

    GIVEN a store that refuses uploads WHEN the archive runs THEN it fails and every row stays.
    """
    before = _remaining(hasura)
    with pytest.raises(OSError, match="upload refused"):
        await archive_prices(_executor(hasura), BrokenStore(), "athena-data/",
                             retention_days=30, max_days=7, now=NOW)
    assert _remaining(hasura) == before
    assert len(before) == 5


async def test_price_archive_is_queried_through_the_remote_schema(
        hasura: HasuraTarget, old_prices: str, credit_history: CreditHistoryService) -> None:
    """Price archive is queried through the remote schema.

    GIVEN the archive written where the credit-history service reads its data (the local
    stand-in for the S3 prefix Athena reads) WHEN admin asks the engine for the archived
    prices of May 1-2 THEN it gets the archived rows, oldest first, exact decimals; a user
    has no such field.
    """
    archive = credit_history.data_dir / ARCHIVE_PREFIX
    try:
        await archive_prices(_executor(hasura), FolderStore(credit_history.data_dir), "",
                             retention_days=30, max_days=7, now=NOW)
        query = (f'{{ archived_prices(asset_symbol: "{old_prices}", from_day: "2024-05-01", '
                 'to_day: "2024-05-02") { price minute day } }')
        admin = {"X-Hasura-Admin-Secret": hasura.admin_secret}
        user = {**admin, "X-Hasura-Role": "user",
                "X-Hasura-User-Id": "4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11"}
        async with httpx.AsyncClient(timeout=30) as http:
            answer = (await http.post(hasura.graphql_url, json={"query": query},
                                      headers=admin)).json()
            refused = (await http.post(hasura.graphql_url, json={"query": query},
                                       headers=user)).json()
        assert answer == {"data": {"archived_prices": [
            {"price": "100", "minute": "2024-05-01T23:00:00+00:00", "day": "2024-05-01"},
            {"price": "101", "minute": "2024-05-01T23:30:00+00:00", "day": "2024-05-01"},
            {"price": "102", "minute": "2024-05-02T00:00:00+00:00", "day": "2024-05-02"},
            {"price": "103", "minute": "2024-05-02T00:30:00+00:00", "day": "2024-05-02"}]}}
        assert refused["errors"][0]["extensions"]["code"] == "validation-failed"
    finally:
        shutil.rmtree(archive, ignore_errors=True)
