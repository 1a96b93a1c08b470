"""Keeping a delivery store's work table planned for its backlog (ANALYZE after a burst)."""

from __future__ import annotations

from engine.events.catalog import Connection

STATISTICS_CHECK_INTERVAL = 5.0
"""Seconds between two checks of the work table's statistics while a backlog lasts."""

_STALE_STATISTICS = """
SELECT pg_relation_size(c.oid) / current_setting('block_size')::int
           > greatest(1.2 * c.relpages, c.relpages + 128)
       OR coalesce(s.n_mod_since_analyze, 0) > greatest(1000, 0.2 * greatest(c.reltuples, 0))
FROM pg_class AS c LEFT JOIN pg_stat_user_tables AS s ON s.relid = c.oid
WHERE c.oid = $1::regclass
"""


async def refresh_statistics(conn: Connection, table: str) -> bool:
    """ANALYZE ``table`` if it outgrew its statistics; True if it did.

    The fetch query reads the oldest due rows through an ordered index and stops after one
    batch, but only if the planner knows that many rows are due. A burst of work (say
    30,000 events inserted in one transaction) is there before autovacuum analyzes it (up
    to a minute later): with the old statistics the planner expects a handful of due rows
    and reads and sorts all of them on every fetch, which makes draining the burst
    quadratic. Outgrown means the table's file is a fifth (and 1 MB) larger than when its
    statistics were taken, or a fifth of its rows (and 1,000) changed since. ``table`` is a
    fixed catalog name chosen by the store, never input.
    """
    stale = await conn.fetchval(_STALE_STATISTICS, table)
    if not stale:
        return False
    await conn.execute(f"ANALYZE {table}")
    return True
