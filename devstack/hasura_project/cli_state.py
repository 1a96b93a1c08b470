"""The migration state the Hasura CLI keeps in ``hdb_catalog.hdb_version.cli_state``.

Hasura CLI v3 records applied migrations per source as
``{"migrations": {"<source>": {"<version>": <dirty>}}, "settings": {"migration_mode": "true"},
"isStateCopyCompleted": true}`` in the single row of ``hdb_catalog.hdb_version``. The other
columns of that row belong to the Hasura server; they are created compatibly when missing and
never overwritten here.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from engine.metadata.hdb_version import CATALOG_VERSION, CREATE_HDB_VERSION

# Session-level advisory lock key: two runners (two terminals, CI jobs) never interleave.
_LOCK_KEY = 0x4D494752  # "MIGR"

_CREATE = CREATE_HDB_VERSION


def lock(conn: psycopg.Connection[Any]) -> None:
    """Take the runner's advisory lock for the rest of the session (waits for another runner)."""
    conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))


def unlock(conn: psycopg.Connection[Any]) -> None:
    """Release the advisory lock taken by :func:`lock`."""
    conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))


def ensure_table(conn: psycopg.Connection[Any]) -> None:
    """Create ``hdb_catalog.hdb_version`` and its one row if they do not exist yet."""
    with conn.transaction():
        conn.execute(_CREATE)
        conn.execute(
            "INSERT INTO hdb_catalog.hdb_version (version, upgraded_on) "
            "SELECT %s, now() WHERE NOT EXISTS (SELECT 1 FROM hdb_catalog.hdb_version)",
            (CATALOG_VERSION,),
        )


def table_exists(conn: psycopg.Connection[Any]) -> bool:
    """Whether ``hdb_catalog.hdb_version`` exists (``migrate status`` must not create it)."""
    row = conn.execute("SELECT to_regclass('hdb_catalog.hdb_version') IS NOT NULL").fetchone()
    return bool(row and row[0])


def read(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """The whole ``cli_state`` document (empty when there is no row yet)."""
    if not table_exists(conn):
        return {}
    row = conn.execute("SELECT cli_state FROM hdb_catalog.hdb_version LIMIT 1").fetchone()
    return dict(row[0]) if row and row[0] else {}


def applied_versions(state: dict[str, Any], source: str) -> dict[int, bool]:
    """Applied migration versions of ``source`` → their dirty flag."""
    versions = (state.get("migrations") or {}).get(source) or {}
    return {int(version): bool(dirty) for version, dirty in versions.items()}


def record(conn: psycopg.Connection[Any], source: str, version: int, applied: bool) -> None:
    """Mark ``version`` of ``source`` applied (clean) or remove it, inside the caller's transaction.

    The row is locked and re-read so keys other tools keep in ``cli_state`` survive.
    """
    row = conn.execute(
        "SELECT cli_state FROM hdb_catalog.hdb_version LIMIT 1 FOR UPDATE"
    ).fetchone()
    state: dict[str, Any] = dict(row[0]) if row and row[0] else {}
    migrations = dict(state.get("migrations") or {})
    versions = dict(migrations.get(source) or {})
    if applied:
        versions[str(version)] = False
    else:
        versions.pop(str(version), None)
    migrations[source] = dict(sorted(versions.items(), key=lambda item: int(item[0])))
    state["migrations"] = migrations
    state.setdefault("settings", {"migration_mode": "true"})
    state["isStateCopyCompleted"] = True
    conn.execute("UPDATE hdb_catalog.hdb_version SET cli_state = %s", (Jsonb(state),))
