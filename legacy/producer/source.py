"""Reading legacy users in batches through a server-side cursor (one snapshot per run)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
from psycopg.rows import class_row

from legacy.producer.records import LegacyRow

_SELECT = (
    "SELECT id, email, username, full_name, password_hash, updated_at "
    "FROM users WHERE id > %s AND is_active ORDER BY id"
)


async def count_after(database_url: str, after_id: int) -> int:
    """How many active users come after ``after_id`` (for progress)."""
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            "SELECT count(*) FROM users WHERE id > %s AND is_active", (after_id,))
        row = await cur.fetchone()
        return int(row[0]) if row else 0


async def read_batches(database_url: str, after_id: int,
                       batch_size: int) -> AsyncIterator[list[LegacyRow]]:
    """Active users with ``id > after_id`` in id order, ``batch_size`` rows at a time.

    The rows stay on the server (a named cursor in a read-only repeatable-read
    transaction): memory stays flat however large the table is.
    """
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.set_isolation_level(psycopg.IsolationLevel.REPEATABLE_READ)
        await conn.set_read_only(True)
        async with conn.cursor(name="legacy_users", row_factory=class_row(LegacyRow)) as cur:
            cur.itersize = batch_size
            await cur.execute(_SELECT, (after_id,))
            while rows := await cur.fetchmany(batch_size):
                yield rows
