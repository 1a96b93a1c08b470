"""The bench's table ``watch``: one row per user, the writer that updates it, its final state.

Role ``user`` sees only its own row (:data:`PERMISSION`), so each subscriber is its own
cohort of one and every write wakes exactly one subscriber.
"""

from __future__ import annotations

import time

import psycopg

PERMISSION = {"columns": ["id", "value", "written_at"],
              "filter": {"owner": {"_eq": "X-Hasura-User-Id"}}}


def load(url: str, users: int) -> None:
    """(Re)create ``watch`` with ``users`` rows, and no metadata of an earlier run."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS watch")
        conn.execute("DROP SCHEMA IF EXISTS hdb_catalog CASCADE")  # the last run's metadata
        conn.execute("CREATE TABLE watch (id int PRIMARY KEY, owner text NOT NULL UNIQUE, "
                     "value int NOT NULL DEFAULT 0, written_at double precision)")
        conn.execute("INSERT INTO watch (id, owner) SELECT g, 'u' || g "
                     "FROM generate_series(0, %s - 1) g", (users,))
        conn.execute("VACUUM ANALYZE watch")


def write(url: str, users: int, rate: float, seconds: float) -> dict[str, int]:
    """Update rows round robin at ``rate`` per second; the final value of each row written."""
    finals: dict[str, int] = {}
    period = 1.0 / rate
    with psycopg.connect(url, autocommit=True) as conn:
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < seconds:
            user = f"u{n % users}"
            row = conn.execute("UPDATE watch SET value = value + 1, written_at = %s "
                               "WHERE owner = %s RETURNING value", (time.time(), user)).fetchone()
            assert row is not None
            finals[user] = int(row[0])
            n += 1
            delay = start + n * period - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    return finals


def final_values(url: str) -> dict[str, int]:
    """Each user's row value now."""
    with psycopg.connect(url, autocommit=True) as conn:
        return {owner: int(value) for owner, value in
                conn.execute("SELECT owner, value FROM watch").fetchall()}
