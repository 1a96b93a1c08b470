"""The event log tables in ``hdb_catalog``, with Hasura's table and column names.

``event_log`` holds one row per captured change, written by the table's trigger in the
same transaction as the change; ``event_invocation_logs`` holds one row per delivery
attempt. Creating them is idempotent and serialised by an advisory lock, so several
engines may start at once.
"""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
"""A connection of its own or one borrowed from a pool."""

NOTIFY_CHANNEL = "hdb_event_log"
"""Channel the capture triggers notify once per transaction so delivery starts at once."""

CATALOG_LOCK = 0x4844_4243_4556  # "HDBCEV": serialises catalog DDL across engines

_DDL = """
CREATE SCHEMA IF NOT EXISTS hdb_catalog;

CREATE TABLE IF NOT EXISTS hdb_catalog.event_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    schema_name text NOT NULL,
    table_name text NOT NULL,
    trigger_name text NOT NULL,
    payload jsonb NOT NULL,
    delivered boolean NOT NULL DEFAULT false,
    error boolean NOT NULL DEFAULT false,
    tries integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    locked timestamptz,
    next_retry_at timestamptz,
    archived boolean NOT NULL DEFAULT false
);

-- The delivery worker only ever scans undelivered events, oldest first.
CREATE INDEX IF NOT EXISTS event_log_fetch_events
    ON hdb_catalog.event_log (created_at)
    WHERE NOT delivered AND NOT error AND NOT archived;
CREATE INDEX IF NOT EXISTS event_log_trigger_name ON hdb_catalog.event_log (trigger_name);

CREATE TABLE IF NOT EXISTS hdb_catalog.event_invocation_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id uuid NOT NULL,
    status integer,
    request json,
    response json,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS event_invocation_logs_event_id
    ON hdb_catalog.event_invocation_logs (event_id);

-- Called by every capture trigger: the row change, the session variables of the request
-- that made it (set by the engine with set_config('hasura.user', ..., true)) and a
-- notification, all inside the caller's transaction.
CREATE OR REPLACE FUNCTION hdb_catalog.insert_event_log(
    _schema_name text, _table_name text, _trigger_name text, _op text, _row_data jsonb
) RETURNS uuid LANGUAGE plpgsql AS $fn$
DECLARE
    _event_id uuid := gen_random_uuid();
    _session jsonb := NULLIF(current_setting('hasura.user', true), '')::jsonb;
    _trace jsonb := NULLIF(current_setting('hasura.tracecontext', true), '')::jsonb;
BEGIN
    INSERT INTO hdb_catalog.event_log (id, schema_name, table_name, trigger_name, payload)
    VALUES (_event_id, _schema_name, _table_name, _trigger_name,
            jsonb_build_object('op', _op, 'data', _row_data,
                               'session_variables', _session, 'trace_context', _trace));
    PERFORM pg_notify('hdb_event_log', '');  -- NOTIFY_CHANNEL
    RETURN _event_id;
END
$fn$;
"""


async def ensure_event_catalog(conn: Connection) -> None:
    """Create the event log tables and the capture helper if they are missing."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", CATALOG_LOCK)
        await conn.execute(_DDL)
