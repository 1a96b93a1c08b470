"""Scheduled events in ``hdb_catalog``, with Hasura's table names.

``hdb_cron_events`` has one row per cron trigger and scheduled time (unique), which is what
makes each time delivered once across restarts and across engines. ``hdb_scheduled_events``
holds one-off scheduled events (``create_scheduled_event``), each row its own webhook.
"""

from __future__ import annotations

from engine.events.catalog import CATALOG_LOCK, Connection

_DDL = """
CREATE SCHEMA IF NOT EXISTS hdb_catalog;

CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_cron_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    trigger_name text NOT NULL,
    scheduled_time timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'locked', 'delivered', 'error', 'dead')),
    tries integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    next_retry_at timestamptz,
    locked timestamptz,
    CONSTRAINT hdb_cron_events_trigger_name_scheduled_time_key
        UNIQUE (trigger_name, scheduled_time)
);
CREATE INDEX IF NOT EXISTS hdb_cron_events_due
    ON hdb_catalog.hdb_cron_events (scheduled_time)
    WHERE status IN ('scheduled', 'locked');

CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_cron_event_invocation_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id uuid NOT NULL,
    status integer,
    request json,
    response json,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS hdb_cron_event_invocation_logs_event_id
    ON hdb_catalog.hdb_cron_event_invocation_logs (event_id);

CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_scheduled_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_conf json NOT NULL,
    scheduled_time timestamptz NOT NULL,
    retry_conf json,
    payload json,
    header_conf json,
    status text NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'locked', 'delivered', 'error', 'dead')),
    tries integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    next_retry_at timestamptz,
    comment text,
    request_transform json,
    response_transform json,
    locked timestamptz
);
CREATE INDEX IF NOT EXISTS hdb_scheduled_events_due
    ON hdb_catalog.hdb_scheduled_events (scheduled_time)
    WHERE status IN ('scheduled', 'locked');

CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_scheduled_event_invocation_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id uuid NOT NULL,
    status integer,
    request json,
    response json,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS hdb_scheduled_event_invocation_logs_event_id
    ON hdb_catalog.hdb_scheduled_event_invocation_logs (event_id);
"""


async def ensure_cron_catalog(conn: Connection) -> None:
    """Create the cron and one-off scheduled event tables if they are missing."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", CATALOG_LOCK)
        await conn.execute(_DDL)


async def ensure_one_off_catalog(conn: Connection) -> None:
    """Create the tables when an API call comes before any engine started its scheduler."""
    if await conn.fetchval("SELECT to_regclass('hdb_catalog.hdb_scheduled_events')") is None:
        await ensure_cron_catalog(conn)
