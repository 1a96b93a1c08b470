"""Queries over the price archive: DuckDB over the archiver's own files, Athena stubbed."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import Stubber

from credit_history.archive_mirror import S3ArchiveMirror
from credit_history.athena_repository import AthenaRepository
from credit_history.duckdb_repository import DuckDBRepository
from credit_history.price_archive import (
    ARCHIVE_COLUMNS,
    ARCHIVE_PREFIX,
    ArchivedPriceRow,
    ArchiveQuery,
    archived_prices_sql,
)
from credit_history.schema import schema
from credit_history.seed import write_local
from devstack.services.moto import MotoService, client
from price_archive.archive import write_parquet


def _price(row_id: int, symbol: str, minute: str, price: str) -> dict[str, Any]:
    when = datetime.fromisoformat(minute)
    return {"id": row_id, "asset_symbol": symbol, "quote_currency": "USD", "price": price,
            "bid": None, "ask": None, "volume": "1", "source_time": when, "minute": when,
            "created_at": when}


def _archive(data_dir: Path) -> None:
    """Two archived days, written as the archiver writes them."""
    days = {"2024-01-02": [_price(1, "BTC", "2024-01-02T00:01:00+00:00", "42000.12345678"),
                           _price(2, "ETH", "2024-01-02T00:01:00+00:00", "2300.5"),
                           _price(3, "BTC", "2024-01-02T00:00:00+00:00", "41999.5")],
            "2024-01-03": [_price(4, "BTC", "2024-01-03T00:00:00+00:00", "43000")]}
    for day, rows in days.items():
        folder = data_dir / ARCHIVE_PREFIX / f"dt={day}"
        folder.mkdir(parents=True)
        ids = [r["id"] for r in rows]
        write_parquet(rows, folder / f"part-{min(ids)}-{max(ids)}.parquet")


def _row(symbol: str, minute: str, price: str, day: str) -> ArchivedPriceRow:
    return ArchivedPriceRow(symbol, "USD", price, datetime.fromisoformat(minute),
                            date.fromisoformat(day))


def test_duckdb_archive_query_reads_the_archivers_files(tmp_path: Path) -> None:
    """DuckDB archive query reads the archiver's files.

    GIVEN no archive yet THEN a query answers no rows; GIVEN two archived days THEN one
    symbol's rows of the asked days come back oldest first with their exact decimal text,
    other symbols and days left out, and the limit holds.
    """
    write_local(tmp_path, people=3)
    repository = DuckDBRepository(tmp_path)
    first_day = ArchiveQuery.checked("btc", date(2024, 1, 2), date(2024, 1, 2), 100)
    assert repository.archived_prices(first_day) == []
    _archive(tmp_path)
    assert repository.archived_prices(first_day) == [
        _row("BTC", "2024-01-02T00:00:00+00:00", "41999.5", "2024-01-02"),
        _row("BTC", "2024-01-02T00:01:00+00:00", "42000.12345678", "2024-01-02")]
    both = ArchiveQuery.checked("BTC", date(2024, 1, 2), date(2024, 1, 3), 2)
    assert [r.price for r in repository.archived_prices(both)] == ["41999.5", "42000.12345678"]
    everything = ArchiveQuery.checked("BTC", date(2024, 1, 1), date(2024, 1, 31), 100)
    assert [r.day.isoformat() for r in repository.archived_prices(everything)] == [
        "2024-01-02", "2024-01-02", "2024-01-03"]


def test_athena_archive_query_binds_values_and_types_rows() -> None:
    """Athena archive query binds values and types rows.

    GIVEN Athena answering one page WHEN the archive is asked THEN the symbol and days go as
    parameters of the shared statement and the rows come back typed, times in UTC.
    """
    client = boto3.client("athena", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    query = ArchiveQuery.checked("BTC", date(2024, 1, 2), date(2024, 1, 3), 50)
    with Stubber(client) as stubber:
        stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"}, {
            "QueryString": archived_prices_sql(50), "QueryExecutionContext": {
                "Database": "analytics"}, "WorkGroup": "wg",
            "ExecutionParameters": ["'BTC'", "'2024-01-02'", "'2024-01-03'"]})
        stubber.add_response("get_query_execution", {"QueryExecution": {
            "QueryExecutionId": "q-1", "Status": {"State": "SUCCEEDED"}}},
            {"QueryExecutionId": "q-1"})
        values = [list(ARCHIVE_COLUMNS),
                  ["BTC", "USD", "42000.12345678", "2024-01-02 00:01:00.000", "2024-01-02"]]
        stubber.add_response("get_query_results", {"ResultSet": {
            "Rows": [{"Data": [{"VarCharValue": v} for v in row]} for row in values],
            "ResultSetMetadata": {"ColumnInfo": [{"Name": c, "Type": "varchar"}
                                                 for c in ARCHIVE_COLUMNS]}}},
            {"QueryExecutionId": "q-1"})
        rows = AthenaRepository(client, "wg", "analytics").archived_prices(query)
        stubber.assert_no_pending_responses()
    assert rows == [ArchivedPriceRow("BTC", "USD", "42000.12345678",
                                     datetime(2024, 1, 2, 0, 1, tzinfo=UTC), date(2024, 1, 2))]


def test_archive_field_refuses_bad_ranges_and_answers_rows(tmp_path: Path) -> None:
    """Archive field refuses bad ranges and answers rows.

    GIVEN the service schema over an archive WHEN asked with a reversed day range, a bad
    symbol or a limit too large THEN each is refused with invalid-archive-query; WHEN asked
    properly THEN the rows come back.
    """
    write_local(tmp_path, people=3)
    _archive(tmp_path)
    context = {"repository": DuckDBRepository(tmp_path)}

    def ask(args: str) -> Any:
        return asyncio.run(schema.execute(
            f"{{ archived_prices({args}) {{ asset_symbol price minute day }} }}",
            context_value=context))

    for bad in ('asset_symbol: "BTC", from_day: "2024-01-03", to_day: "2024-01-02"',
                'asset_symbol: "B TC", from_day: "2024-01-02", to_day: "2024-01-02"',
                'asset_symbol: "BTC", from_day: "2024-01-02", to_day: "2024-01-02", '
                "limit: 100000"):
        result = ask(bad)
        assert result.errors, bad
        assert result.errors[0].extensions == {"code": "invalid-archive-query"}, bad
    good = ask('asset_symbol: "ETH", from_day: "2024-01-01", to_day: "2024-01-05"')
    assert good.errors is None
    assert good.data == {"archived_prices": [{"asset_symbol": "ETH", "price": "2300.5",
                                              "minute": "2024-01-02T00:01:00+00:00",
                                              "day": "2024-01-02"}]}


def test_duckdb_archive_query_mirrors_the_bucket_first(tmp_path: Path,
                                                        moto_server: MotoService) -> None:
    """DuckDB archive query mirrors the bucket first.

    GIVEN the archive uploaded to (moto's) S3 under the data prefix, as the trigger service
    uploads it WHEN the local backend is asked THEN it copies the files into its data folder
    and answers their rows; asked again, it copies nothing more; a file added to the bucket
    later is copied and answered.
    """
    source = tmp_path / "written"
    _archive(source)
    s3 = client("s3", moto_server.url(), "us-east-1")
    bucket = f"archive-{tmp_path.name.lower().replace('_', '-')}"[:60]
    s3.create_bucket(Bucket=bucket)
    files = sorted((source / ARCHIVE_PREFIX).glob("dt=*/*.parquet"))
    for path in files[:1]:
        s3.upload_file(str(path), bucket, f"athena-data/{path.relative_to(source)}")
    data = tmp_path / "service"
    write_local(data, people=3)
    mirror = S3ArchiveMirror(s3, bucket, "athena-data/", data)
    repository = DuckDBRepository(data, mirror)
    query = ArchiveQuery.checked("BTC", date(2024, 1, 1), date(2024, 1, 31), 100)
    assert [r.price for r in repository.archived_prices(query)] == ["41999.5", "42000.12345678"]
    assert mirror.downloads == 1
    repository.archived_prices(query)
    assert mirror.downloads == 1
    s3.upload_file(str(files[1]), bucket, f"athena-data/{files[1].relative_to(source)}")
    assert [r.price for r in repository.archived_prices(query)] == [
        "41999.5", "42000.12345678", "43000"]
    assert mirror.downloads == 2
