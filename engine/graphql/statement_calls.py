"""A root field's statement run through asyncpg's protocol directly when it is prepared already.

``Connection.fetchval`` on a pooled connection goes through five Python layers before the
protocol's ``bind_execute``: the pool proxy's method wrapper, ``fetchval``, ``_execute`` (its
exclusive section), ``__execute`` (a lambda per call, the query loggers) and ``_do_execute``
(the statement cache lookup, its error handling). Each is a coroutine frame that the answer
from PostgreSQL travels back through. On a busy engine nearly every statement is in the
connection's statement cache already, so :func:`first_row` looks it up there itself and
calls ``bind_execute`` with it, with what those layers do on the way:

- the connection must be open and idle (the exclusive section, the same errors);
- no query loggers are installed (with one, asyncpg's own path runs, which times and logs);
- the errors asyncpg handles after a statement are handled the same way: a type that changed
  under the cached codecs (``OutdatedSchemaCacheError``) reloads the schema state and raises;
  a cached statement PostgreSQL no longer accepts (``InvalidCachedStatementError``, after an
  ``ALTER TABLE``) drops the statement caches and, outside a transaction, runs again through
  asyncpg's own path, which prepares it anew.

Anything else (a statement not prepared yet or closed, a connection that is not asyncpg's,
the pool proxy of a released connection) takes asyncpg's own path, unchanged. The functions
read asyncpg's private attributes, which the pinned version (``pyproject.toml``) has;
``tests/engine/graphql/test_statement_calls.py`` checks both paths against each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import asyncpg
from asyncpg import exceptions
from asyncpg.pool import PoolConnectionProxy

from engine.catalog.db import Connection


def _prepared(conn: Connection, sql: str) -> tuple[Any, Any] | None:
    """(asyncpg connection, cached statement) when the direct path applies, else None."""
    # asyncpg's private attributes are not in its stubs: Any, and no narrowing by type.
    con = cast(Any, conn)
    if type(conn) is PoolConnectionProxy:
        con = con._con
    kind = type(con)
    if kind is not asyncpg.Connection or con._query_loggers:
        return None  # released proxy (None), another class, or logging asked for
    protocol = con._protocol
    stmt = con._stmt_cache.get((sql, protocol.get_record_class(), False))
    if stmt is None or con._aborted or not protocol.is_connected():  # con.is_closed()
        return None
    return con, stmt


async def first_row(conn: Connection, sql: str, args: Sequence[Any]) -> asyncpg.Record | None:
    """``conn.fetchrow(sql, *args)``: the first row, or None.

    One coroutine from here to asyncpg's protocol: the statement is run in place rather
    than by a helper, a frame fewer for the answer to travel back through.
    """
    found = _prepared(conn, sql)
    if found is not None:
        con, stmt = found
        with con._stmt_exclusive_section:  # InterfaceError while another operation runs
            try:
                rows = await con._protocol.bind_execute(stmt, args, "", 1, False, None)
            except exceptions.OutdatedSchemaCacheError:
                await con.reload_schema_state()
                raise
            except exceptions.InvalidCachedStatementError:
                con._drop_global_statement_cache()
                if con._protocol.is_in_transaction():
                    raise
                rows = None  # asyncpg's own path below prepares it again
        if rows is not None:
            return rows[0] if rows else None
    return await conn.fetchrow(sql, *args)


async def first_value(conn: Connection, sql: str, args: Sequence[Any]) -> Any:
    """``conn.fetchval(sql, *args)``: the first column of the first row, or None."""
    row = await first_row(conn, sql, args)
    return None if row is None else row[0]
