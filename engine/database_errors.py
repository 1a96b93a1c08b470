"""The exceptions that mean the database is unreachable or a connection to it broke.

Besides PostgreSQL's own errors, socket errors and asyncpg's interface errors (a closed
connection), asyncpg raises ``InternalClientError`` ("cannot switch to state 12; another
operation (2) is in progress") for a query sent on a connection whose server has just
terminated it: the server's FATAL has arrived, the close not yet. A database that stops
while a loop polls it hits that window often under load; a background loop that let it
through would stop for good, and the outage would never be reported by it.
"""

from __future__ import annotations

import asyncpg

DATABASE_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError,
)
"""Catch these (``except DATABASE_ERRORS``) where a database outage is expected."""

_CONNECTION_ENDED = frozenset({"57P01", "57P02", "57P03"})
"""The server ended (or refused) the session: admin shutdown or a terminated backend, crash
shutdown, starting up or shutting down."""


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` means the connection broke or could not be made (not a bad statement).

    A PostgreSQL connection exception (SQLSTATE class 08) or the server ending the session
    (57P01-57P03), asyncpg's interface errors on a closed connection (but not ``DataError``:
    a value asyncpg could not encode), its ``InternalClientError`` (see above) and socket
    errors, timeouts included.
    """
    if isinstance(exc, asyncpg.PostgresError):
        state = getattr(exc, "sqlstate", None) or ""
        return state.startswith("08") or state in _CONNECTION_ENDED
    if isinstance(exc, asyncpg.DataError):
        return False
    return isinstance(exc, asyncpg.InterfaceError | asyncpg.InternalClientError | OSError)
