"""The work table's statistics are refreshed after a burst, so each fetch reads one batch."""

from __future__ import annotations

import asyncio

import asyncpg

from engine.events.catalog import ensure_event_catalog
from engine.events.statistics import refresh_statistics
from engine.events.store import _FETCH

BURST = 20_000


async def _fetch_plan(conn: asyncpg.Connection) -> str:
    """The plan the fetch query gets for one batch of the burst's trigger (not executed)."""
    await conn.execute(f"PREPARE fetch_due(text[], float8, int) AS {_FETCH}")
    try:
        rows = await conn.fetch("EXPLAIN (COSTS OFF) EXECUTE fetch_due('{burst}', 60, 100)")
    finally:
        await conn.execute("DEALLOCATE fetch_due")
    return "\n".join(row[0] for row in rows)


async def _burst(conn: asyncpg.Connection) -> None:
    await ensure_event_catalog(conn)
    await conn.execute(
        "INSERT INTO hdb_catalog.event_log (schema_name, table_name, trigger_name, payload) "
        "SELECT 'public', 'accounts', 'burst', jsonb_build_object('n', g) "
        "FROM generate_series(1, $1) AS g", BURST)


async def test_refresh_statistics_after_a_burst_the_fetch_reads_the_ordered_index(
        database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await _burst(conn)
        before = await _fetch_plan(conn)
        assert "Sort" in before  # no statistics yet: every due row is read and sorted

        assert await refresh_statistics(conn, "hdb_catalog.event_log") is True

        after = await _fetch_plan(conn)
        assert "Sort" not in after, after
        assert "Index Scan using event_log_fetch_events" in after, after
        analyzed = await conn.fetchval(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relid = 'hdb_catalog.event_log'::regclass")
        assert analyzed is True
    finally:
        await conn.close()


async def test_refresh_statistics_leaves_fresh_statistics_alone(database_url: str) -> None:
    writer = await asyncpg.connect(database_url)
    try:
        await _burst(writer)
    finally:
        await writer.close()  # its row counts reach the statistics collector as it exits
    conn = await asyncpg.connect(database_url)
    try:
        for _ in range(200):  # wait until the collector has the burst (10 s at most)
            await conn.execute("SELECT pg_stat_clear_snapshot()")
            inserted = await conn.fetchval(
                "SELECT n_tup_ins FROM pg_stat_user_tables "
                "WHERE relid = 'hdb_catalog.event_log'::regclass")
            if inserted >= BURST:
                break
            await asyncio.sleep(0.05)
        await conn.execute("ANALYZE hdb_catalog.event_log")
        assert await refresh_statistics(conn, "hdb_catalog.event_log") is False
        await conn.execute(
            "INSERT INTO hdb_catalog.event_log (schema_name, table_name, trigger_name, payload) "
            "VALUES ('public', 'accounts', 'burst', '{}')")
        assert await refresh_statistics(conn, "hdb_catalog.event_log") is False  # one row
    finally:
        await conn.close()
