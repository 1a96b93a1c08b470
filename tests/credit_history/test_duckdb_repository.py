"""The local repository: DuckDB over the seeded Parquet files, the service's own SQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit_history.duckdb_repository import DuckDBRepository
from credit_history.repository import CreditReportRow
from credit_history.seed import REPORTS_PREFIX, national_id, synthetic_reports, write_local

PEOPLE = 20


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("credit-data")
    write_local(folder, PEOPLE)
    return folder


def test_seed_writes_parquet_under_the_s3_style_prefix(data_dir: Path) -> None:
    """Seed writes parquet under the s3 style prefix.

    GIVEN the seed WHEN written THEN one Parquet file sits under credit_history/reports/ and
    the demo users' national ids are the first ones.
    """
    files = list((data_dir / REPORTS_PREFIX).glob("*.parquet"))
    assert [f.name for f in files] == ["part-00000.parquet"]
    assert files[0].read_bytes()[:4] == b"PAR1"
    assert [national_id(n) for n in (1, 2, 3)] == ["521-44-1001", "521-44-1002", "521-44-1003"]


def test_duckdb_repository_returns_the_expected_rows(data_dir: Path) -> None:
    """DuckDB repository returns the expected rows.

    GIVEN the seeded files WHEN two known ids and an unknown one are asked for THEN exactly the
    seeded rows of the two come back, newest first per id, in one query.
    """
    repository = DuckDBRepository(data_dir)
    try:
        wanted = ["521-44-1002", "521-44-1001", "521-44-9999"]
        rows = repository.reports(wanted)
        expected = sorted(
            (CreditReportRow(*r) for r in synthetic_reports(PEOPLE) if r[0] in wanted),
            key=lambda r: (r.national_id, -r.report_date.toordinal(), r.bureau))
        assert rows == expected
        assert {r.national_id for r in rows} == {"521-44-1001", "521-44-1002"}
        assert repository.queries == 1
    finally:
        repository.close()


def test_duckdb_repository_without_data_says_what_to_run(tmp_path: Path) -> None:
    """DuckDB repository without data says what to run.

    GIVEN an empty folder WHEN the repository opens THEN the error names the seed command.
    """
    with pytest.raises(FileNotFoundError, match="seed"):
        DuckDBRepository(tmp_path)
