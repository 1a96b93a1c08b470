"""A role's ``time_limit`` as PostgreSQL's ``statement_timeout``, and runs without a database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from engine.catalog.db import Connection


class _NoConnection:
    """The connection of a run that needs none: any use is a bug, and says so."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"connection.{name} used by a plan that needs no database")


NO_CONNECTION = cast(Connection, _NoConnection())
"""What a plan that needs no database (``__typename``, introspection) runs on."""


def statement_timeout(time_ms: int | None) -> str:
    """``statement_timeout``'s value for a role's time limit (0 means none)."""
    return f"{time_ms}ms" if time_ms else "0"


@asynccontextmanager
async def time_limited(conn: Connection, time_ms: int | None) -> AsyncIterator[None]:
    """Run a query's statements under the role's ``time_limit``.

    ``SET LOCAL`` needs a transaction: PostgreSQL cancels a statement past the limit
    (``57014``), the transaction rolls back and the connection goes back to the pool.
    Without a limit nothing is added (no extra round trips).
    """
    if not time_ms:
        yield
        return
    async with conn.transaction():
        await conn.execute("SELECT set_config('statement_timeout', $1, true)",
                           statement_timeout(time_ms))
        yield
