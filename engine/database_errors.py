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
