"""Metadata kept in the database, in ``hdb_catalog.hdb_metadata`` as Hasura keeps it."""

from __future__ import annotations

from typing import Any

import orjson

from engine.metadata.dbcatalog import DbConnection
from engine.metadata.hdb_version import CATALOG_VERSION, CREATE_HDB_VERSION
from engine.metadata.model import Metadata

# Serialises catalog creation between engine processes starting on one database.
_LOCK_KEY = 4_242_001

_CREATE = """
CREATE SCHEMA IF NOT EXISTS hdb_catalog;
CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_metadata (
    id integer PRIMARY KEY,
    metadata json NOT NULL,
    resource_version integer NOT NULL DEFAULT 1
);
""" + CREATE_HDB_VERSION


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
