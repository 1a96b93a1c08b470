"""Running a prepared operation: the database phase on a connection, the remote phase after.

:func:`run_database` runs the root fields that read the database on a pooled connection (a
mutation in one transaction, under the role's ``time_limit``); :func:`finish` runs what is
left once the connection went back to the pool: a query's remote schema and action root
fields, and every remote join. A slow remote therefore never holds a PostgreSQL connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import orjson

from engine.catalog.db import Connection
from engine.graphql.bodies import data_body
from engine.graphql.plan import PreparedOperation
from engine.graphql.roots import RunContext
from engine.graphql.time_limit import NO_CONNECTION, run_roots, statement_timeout, time_limited

if TYPE_CHECKING:
    from engine.graphql.engine import GraphQLEngine


async def run_database(engine: GraphQLEngine, conn: Connection, prepared: PreparedOperation,
                       session_vars: Mapping[str, str], later: bool,
                       out: list[bytes | None]) -> list[bytes | None]:
    """The root fields' values on ``conn``.

    With ``later``, None for the fields that need no database: :func:`finish` runs them
    after the connection is released. The values of the fields run here are appended to
    ``out`` as they come (so a caller sees whether any came back before a failure).
    """
    plan = prepared.plan
    roots = plan.database_roots if later else plan.roots
    ctx = RunContext(engine, conn, prepared, session_vars)
    # No connection (and no time limit) when nothing reads the database.
    time_ms = (engine.limits.for_role(prepared.session.role).time_ms
               if plan.needs_database else None)
    if plan.operation == "mutation" and plan.needs_database:
        async with conn.transaction():
            await conn.execute("SELECT set_config('hasura.user', $1, true), "
                               "set_config('statement_timeout', $2, true)",
                               orjson.dumps(dict(session_vars)).decode(),
                               statement_timeout(time_ms))
            await run_roots(conn, roots, ctx, time_ms, out)
    elif time_ms:
        async with time_limited(conn, time_ms):
            await run_roots(conn, roots, ctx, time_ms, out)
    else:  # the common case, without a context manager per request (or a comprehension's
        for root in roots:  # coroutine frame: a loop)
            out.append(await root.run(ctx))
    if not later or len(roots) == len(plan.roots):
        return list(out)
    by_root = dict(zip(map(id, roots), out, strict=True))
    return [by_root.get(id(r)) for r in plan.roots]


async def finish(engine: GraphQLEngine, prepared: PreparedOperation,
                 values: list[bytes | None]) -> bytes:
    """The response body, once no connection is held any more.

    Deferred root fields run and remote joins are answered here.
    """
    roots = prepared.plan.roots
    if all(v is not None for v in values) and not any(r.completes for r in roots):
        return data_body(prepared.plan.response_keys, [v for v in values if v is not None])
    ctx = RunContext(engine, NO_CONNECTION, prepared, prepared.session.variables)
    out: list[bytes] = []
    for root, value in zip(roots, values, strict=True):
        if value is None:
            value = await root.run(ctx)
        out.append(await root.complete(value, prepared) if root.completes else value)
    return data_body(prepared.plan.response_keys, out)
