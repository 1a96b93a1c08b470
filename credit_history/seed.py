"""Synthetic credit reports as Parquet under an S3-style prefix, locally and in S3.

``credit_history/reports/part-00000.parquet`` (the Glue table's location) holds a few
reports per national id. The demo users' ids (``521-44-1001``..``1003``, the profiles seed)
come first, then ``521-44-1004``.. for benchmarks; everything derives from a fixed seed, so
runs agree. DuckDB writes the file (no other Parquet library needed).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

REPORTS_PREFIX = "credit_history/reports"
"""Where the reports live under the data folder or bucket (the Glue table's location)."""
PEOPLE = 1000
BUREAUS = ("Equifax", "Experian", "TransUnion")


def national_id(n: int) -> str:
    """The n-th synthetic national id (1-based; 1-3 are the demo users')."""
    return f"521-44-{1000 + n}"


def synthetic_reports(people: int = PEOPLE, seed: int = 13) -> list[tuple[Any, ...]]:
    """Rows of ``credit_reports`` for ``people`` national ids, 1 to 4 reports each."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible on purpose
    rows = []
    for n in range(1, people + 1):
        base = rng.randint(520, 800)
        for k in range(rng.randint(1, 4)):
            day = date(2024, 12, 1) - timedelta(days=91 * k + rng.randint(0, 20))
            rows.append((national_id(n), day, BUREAUS[(n + k) % len(BUREAUS)],
                         max(300, min(850, base + rng.randint(-25, 25))),
                         rng.randint(0, 9), round(rng.uniform(0, 60000), 2),
                         rng.choice((0, 0, 0, 1, 2))))
    return rows


def write_local(data_dir: Path, people: int = PEOPLE) -> Path:
    """Write the Parquet file under ``data_dir``; returns its path (replaced if present)."""
    target = data_dir / REPORTS_PREFIX / "part-00000.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    db = duckdb.connect(":memory:")
    try:
        db.execute("CREATE TABLE credit_reports (national_id VARCHAR, report_date DATE, "
                   "bureau VARCHAR, score INTEGER, open_accounts INTEGER, total_debt DOUBLE, "
                   "delinquencies INTEGER)")
        db.executemany("INSERT INTO credit_reports VALUES (?, ?, ?, ?, ?, ?, ?)",
                       synthetic_reports(people))
        partial = target.with_suffix(".tmp")
        path = str(partial).replace("'", "''")
        db.execute(f"COPY credit_reports TO '{path}' (FORMAT PARQUET)")
        partial.replace(target)
    finally:
        db.close()
    return target


def upload(data_dir: Path, s3: Any, bucket: str, prefix: str = "athena-data/") -> list[str]:
    """Copy the Parquet files to ``bucket`` under ``prefix`` (the tables' prefix); the keys."""
    keys = []
    for path in sorted((data_dir / REPORTS_PREFIX).glob("*.parquet")):
        key = f"{prefix}{REPORTS_PREFIX}/{path.name}"
        s3.upload_file(str(path), bucket, key)
        keys.append(key)
    return keys
