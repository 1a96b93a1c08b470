"""Metadata kept in the database, in ``hdb_catalog.hdb_metadata`` as Hasura keeps it.

Beside it, ``hdb_catalog.hdb_schema_notifications`` (Hasura's table, one row) records the
last change every engine instance on the database must take in: its resource version,
what it invalidated (remote schemas to introspect again) and which instance made it. Every
metadata request takes a transaction-level advisory lock first (:func:`lock`), so requests
made through different instances run one after the other, each on the metadata the
previous one committed.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from engine.metadata.dbcatalog import DbConnection
from engine.metadata.hdb_version import CATALOG_VERSION, CREATE_HDB_VERSION
from engine.metadata.model import Metadata

# Serialises catalog creation between engine processes starting on one database.
_LOCK_KEY = 4_242_001
# Serialises metadata requests between the engine instances on one database.
_CHANGE_LOCK_KEY = 4_242_002

_CREATE = """
CREATE SCHEMA IF NOT EXISTS hdb_catalog;
CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_metadata (
    id integer PRIMARY KEY,
    metadata json NOT NULL,
    resource_version integer NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_schema_notifications (
    id integer PRIMARY KEY CHECK (id = 1),
    notification json NOT NULL,
    resource_version integer NOT NULL DEFAULT 1,
    instance_id uuid NOT NULL,
    updated_at timestamptz DEFAULT now()
);
""" + CREATE_HDB_VERSION

CHANNEL = "engine_metadata_changed"
"""``NOTIFY`` channel told the new resource version when a change commits (see
:mod:`engine.metadata.sync`)."""

NO_INVALIDATIONS: dict[str, Any] = {"metadata": False, "remote_schemas": [], "sources": [],
                                    "data_connectors": []}
"""Hasura's ``CacheInvalidations`` with nothing in it."""


async def ensure_catalog(conn: DbConnection) -> None:
    """Create the catalog schema and tables if missing."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        await conn.execute(_CREATE)
        await conn.execute(
            "INSERT INTO hdb_catalog.hdb_version (version, upgraded_on) SELECT $1, now() "
            "WHERE NOT EXISTS (SELECT 1 FROM hdb_catalog.hdb_version)",
            CATALOG_VERSION,
        )
        await conn.execute(
            "INSERT INTO hdb_catalog.hdb_schema_notifications (id, notification, "
            "resource_version, instance_id) VALUES (1, $1::text::json, 0, $2) "
            "ON CONFLICT (id) DO NOTHING", orjson.dumps(NO_INVALIDATIONS).decode(), uuid.uuid4())


async def load(conn: DbConnection) -> tuple[Metadata | None, int]:
    """The stored metadata and its resource version (None, 0 when nothing is stored)."""
    row = await conn.fetchrow(
        "SELECT metadata::text, resource_version FROM hdb_catalog.hdb_metadata WHERE id = 1"
    )
    if row is None:
        return None, 0
    value: Any = orjson.loads(row[0])
    return value, int(row[1])


async def save(conn: DbConnection, metadata: Metadata) -> int:
    """Store ``metadata``; returns the new resource version."""
    version = await conn.fetchval(
        "INSERT INTO hdb_catalog.hdb_metadata (id, metadata, resource_version) "
        "VALUES (1, $1::text::json, 1) ON CONFLICT (id) DO UPDATE "
        "SET metadata = EXCLUDED.metadata, "
        "resource_version = hdb_catalog.hdb_metadata.resource_version + 1 "
        "RETURNING resource_version",
        orjson.dumps(metadata).decode(),
    )
    return int(version)


async def stored_version(conn: DbConnection) -> int:
    """The resource version of the stored metadata (0 when nothing is stored)."""
    version = await conn.fetchval(
        "SELECT resource_version FROM hdb_catalog.hdb_metadata WHERE id = 1")
    return 0 if version is None else int(version)


async def lock(conn: DbConnection) -> int:
    """Lock out other instances' metadata requests until this transaction ends.

    Returns the stored resource version, read after the lock is held (a separate statement,
    so it sees what the previous holder committed). An advisory lock, not a row lock: a row
    lock would give the transaction an id at once, and ``CREATE INDEX CONCURRENTLY`` run by
    the request outside it (``run_sql`` with ``no_transaction``) would wait for it forever.
    """
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _CHANGE_LOCK_KEY)
    return await stored_version(conn)


async def notify(conn: DbConnection, version: int, instance: uuid.UUID,
                 invalidations: dict[str, Any]) -> None:
    """Record a change for the other instances; they are told when the transaction commits."""
    await conn.execute(
        "UPDATE hdb_catalog.hdb_schema_notifications SET notification = $1::text::json, "
        "resource_version = $2, instance_id = $3, updated_at = now() WHERE id = 1",
        orjson.dumps(invalidations).decode(), version, instance)
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{version} {instance}")


async def load_change(conn: DbConnection) -> tuple[Metadata | None, int, dict[str, Any]]:
    """The stored metadata, its version and the last change's invalidations, read together."""
    row = await conn.fetchrow(
        "SELECT m.metadata::text, m.resource_version, n.notification::text, "
        "n.resource_version AS notified FROM hdb_catalog.hdb_schema_notifications n "
        "LEFT JOIN hdb_catalog.hdb_metadata m ON m.id = 1 WHERE n.id = 1")
    if row is None or row[0] is None:
        return None, 0, dict(NO_INVALIDATIONS)
    invalidations: Any = orjson.loads(row[2]) if row[3] == row[1] else NO_INVALIDATIONS
    return orjson.loads(row[0]), int(row[1]), dict(invalidations)
