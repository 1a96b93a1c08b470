"""Apply the seed SQL files of ``hasura/seeds/<source>/`` (as ``hasura seed apply`` does).

Files run in name order, each in its own transaction. The seeds use ``ON CONFLICT DO
NOTHING`` so applying them again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from devstack.errors import StackError
from devstack.hasura_project.sql_errors import describe_sql_error
from devstack.paths import HASURA_DIR

SEEDS_DIR = HASURA_DIR / "seeds"


class SeedError(StackError):
    """A seed file failed (it was rolled back)."""


def seed_files(seeds_dir: Path, source: str = "default", only: str | None = None) -> list[Path]:
    """The seed files to run, in name order (``only``: one file, by name or path)."""
    folder = seeds_dir / source
    files = sorted(folder.glob("*.sql")) if folder.is_dir() else []
    if only is None:
        return files
    chosen = [f for f in files if only in (f.name, str(f))]
    if not chosen:
        candidate = Path(only)
        if candidate.is_file():
            return [candidate]
        raise SeedError(f"no seed file {only!r} under {folder}")
    return chosen


def apply(database_url: str, files: list[Path]) -> dict[Path, int]:
    """Run each file in its own transaction; rows each file touched (by statement status)."""
    touched: dict[Path, int] = {}
    try:
        conn = psycopg.connect(database_url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise SeedError(f"cannot connect to the database: {exc}".strip()) from exc
    with conn:
        for path in files:
            sql_text = path.read_text()
            try:
                with conn.transaction():
                    cursor = conn.execute(sql_text.encode())
                    rows = 0
                    while True:
                        rows += max(cursor.rowcount, 0)
                        if not cursor.nextset():
                            break
                touched[path] = rows
            except psycopg.Error as exc:
                raise SeedError(
                    "seed failed and was rolled back\n" + describe_sql_error(path, sql_text, exc)
                ) from exc
    return touched
