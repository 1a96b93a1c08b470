"""A role's ``time_limit`` as PostgreSQL's ``statement_timeout``, and runs without a database."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

from engine.catalog.db import Connection
from engine.graphql.pgerrors import time_limit_exceeded
from engine.graphql.roots import RootPlan, RunContext


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


async def run_roots(conn: Connection, roots: Sequence[RootPlan], ctx: RunContext,
                    time_ms: int | None, out: list[Any]) -> None:
    """Append each root field's value to ``out``, all within one ``time_limit`` for the operation.

    Hasura's time limit bounds the operation, not each statement: the first statement runs
    under the whole limit (set by the caller, in the same round trip as the transaction's
    other settings), and each later one that reads the database under what is left of it.
    An operation whose budget is spent before a statement starts is refused without it.

    Raises:
        GraphQLFieldError: ``time-limit-exceeded``, the budget ran out between statements.
    """
    if not time_ms:
        for root in roots:
            out.append(await root.run(ctx))
        return
    deadline = time.monotonic() + time_ms / 1000
    timed = False
    for root in roots:
        if root.needs_database:
            if timed:
                left = math.floor((deadline - time.monotonic()) * 1000)
                if left <= 0:
                    raise time_limit_exceeded()
                await conn.execute("SELECT set_config('statement_timeout', $1, true)",
                                   statement_timeout(left))
            timed = True
        out.append(await root.run(ctx))
