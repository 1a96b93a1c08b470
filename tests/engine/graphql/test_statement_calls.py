"""Statements run through asyncpg's protocol directly, as fetchval and fetchrow run them.

The same answers and errors, and asyncpg's own path whenever the direct one does not apply.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from engine.graphql import statement_calls
from engine.graphql.statement_calls import first_row, first_value

SQL = "SELECT v, v > 1 FROM statement_calls_t WHERE v >= $1::int4 ORDER BY v"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool of two connections with a small table of its own."""
    created = await asyncpg.create_pool(database_url, min_size=2, max_size=2)
    assert created is not None
    await created.execute("DROP TABLE IF EXISTS statement_calls_t; "
                          "CREATE TABLE statement_calls_t (v int4); "
                          "INSERT INTO statement_calls_t VALUES (1), (2), (3)")
    try:
        yield created
    finally:
        await created.execute("DROP TABLE IF EXISTS statement_calls_t")
        await asyncio.wait_for(created.close(), 30)


def _count_direct(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many calls took the direct path (one entry per call)."""
    calls: list[int] = []
    prepared = statement_calls._prepared

    def counted(conn: Any, sql: str) -> Any:
        found = prepared(conn, sql)
        if found is not None:
            calls.append(1)
        return found

    monkeypatch.setattr(statement_calls, "_prepared", counted)
    return calls


async def test_statement_calls_answer_as_fetchval_and_fetchrow(
        pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Statement calls answer as fetchval and fetchrow.

    GIVEN a pooled connection WHEN a statement runs first (not prepared yet: asyncpg's own
    path) and again (prepared: the direct path) THEN both give what fetchval and fetchrow
    give, a missing row included.
    """
    direct = _count_direct(monkeypatch)
    async with pool.acquire() as conn:
        assert await first_value(conn, SQL, [2]) == 2
        assert direct == []
        assert await first_value(conn, SQL, [2]) == await conn.fetchval(SQL, 2) == 2
        assert await first_value(conn, SQL, [9]) is None
        row = await first_row(conn, SQL, [3])
        assert row is not None
        again = await conn.fetchrow(SQL, 3)
        assert again is not None
        assert tuple(row) == tuple(again) == (3, True)
        assert await first_row(conn, SQL, [9]) is None
        assert len(direct) == 4
        # A plain connection (not the pool's proxy) takes it too.
        proxy: Any = conn
        raw = proxy._con
        assert await first_value(raw, SQL, [1]) == 1
        assert len(direct) == 5


async def test_statement_calls_raise_the_database_errors_and_leave_the_connection_usable(
        pool: asyncpg.Pool) -> None:
    """Statement calls raise the database's errors and leave the connection usable.

    GIVEN a prepared statement WHEN a run fails in PostgreSQL (division by zero) THEN the
    same error class as fetchval's is raised, and the next run on the connection succeeds.
    """
    sql = "SELECT 10 / $1::int4"
    async with pool.acquire() as conn:
        assert await first_value(conn, sql, [2]) == 5
        with pytest.raises(asyncpg.DivisionByZeroError):
            await first_value(conn, sql, [0])
        with pytest.raises(asyncpg.DivisionByZeroError):
            await conn.fetchval(sql, 0)
        assert await first_value(conn, sql, [5]) == 2


async def test_statement_calls_prepare_again_after_the_table_changed(
        pool: asyncpg.Pool) -> None:
    """Statement calls prepare again after the table changed.

    GIVEN a statement prepared on a connection WHEN the table's column changes type (its
    cached plan's result type no longer holds) THEN the next run answers with the new type,
    as asyncpg's own retry does, outside a transaction.
    """
    sql = "SELECT * FROM statement_calls_t WHERE v = $1::int4"
    async with pool.acquire() as conn:
        assert await first_value(conn, sql, [2]) == 2
        await conn.execute("ALTER TABLE statement_calls_t ALTER COLUMN v TYPE int8")
        assert await first_value(conn, sql, [2]) == 2
        await conn.execute("ALTER TABLE statement_calls_t ADD COLUMN w text DEFAULT 'x'")
        row = await first_row(conn, sql, [3])
        assert row is not None
        assert tuple(row) == (3, "x")


async def test_statement_calls_refuse_a_second_operation_at_once(pool: asyncpg.Pool) -> None:
    """Statement calls refuse a second operation at once.

    GIVEN a statement running on a connection WHEN another starts on it before it finished
    THEN asyncpg's InterfaceError is raised, as its own path raises it.
    """
    sql = "SELECT pg_sleep($1::float8)::text"
    async with pool.acquire() as conn:
        await first_value(conn, sql, [0])
        running = asyncio.ensure_future(first_value(conn, sql, [0.2]))
        await asyncio.sleep(0.05)
        with pytest.raises(asyncpg.InterfaceError):
            await first_value(conn, sql, [0])
        assert await running == ""


async def test_statement_calls_leave_a_released_proxy_to_asyncpg(pool: asyncpg.Pool) -> None:
    """Statement calls leave a released proxy to asyncpg.

    GIVEN a pooled connection given back to the pool WHEN a statement runs on its proxy
    THEN asyncpg's own error says it was released.
    """
    conn = await pool.acquire()
    await first_value(conn, "SELECT 1", [])
    await pool.release(conn)
    with pytest.raises(asyncpg.InterfaceError, match="released"):
        await first_value(conn, "SELECT 1", [])


async def test_statement_calls_let_query_loggers_see_every_statement(
        pool: asyncpg.Pool) -> None:
    """Statement calls let query loggers see every statement.

    GIVEN a connection with a query logger WHEN a prepared statement runs THEN the logger
    records it (asyncpg's own path runs).
    """
    seen: list[str] = []
    async with pool.acquire() as conn:
        await first_value(conn, SQL, [1])
        with conn.query_logger(lambda record: seen.append(record.query)):
            assert await first_value(conn, SQL, [1]) == 1
    assert seen == [SQL]
