"""``run_sql``: SQL from the admin, then the metadata brought in line with the new schema."""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from typing import Any

import asyncpg

from engine.metadata import consistency, renames, tracked_functions
from engine.metadata.context import OpContext
from engine.metadata.dbcatalog import DbConnection
from engine.metadata.errors import MetadataError, parse_failed
from engine.metadata.ops import register

_MULTIPLE = "cannot insert multiple commands into a prepared statement"
_DOLLAR = re.compile(r"\$[A-Za-z_]*\$")
_ONLY_COMMENTS = re.compile(r"(\s|--[^\n]*(\n|$)|/\*.*?\*/)*", re.DOTALL)
# Hasura's test of whether SQL may have changed the schema.
_DDL = re.compile(r"\balter\b|\bdrop\b|\breplace\b|\bcreate function\b|\bcomment on\b",
                  re.IGNORECASE)


class _ReadOnlyDoneError(Exception):
    """Rolls back the savepoint a read-only run_sql ran in."""


@register("run_sql", apis=("query", "v2query"))
async def run_sql(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Run ``args.sql``; answers ``TuplesOk`` with text rows for a query, else ``CommandOk``.

    Tables dropped by the SQL leave the metadata; other objects that stop resolving
    (relationships, permissions, computed fields) leave it with ``cascade`` and fail the
    request without it, as Hasura does.
    """
    if not isinstance(args, dict) or not isinstance(args.get("sql"), str):
        raise parse_failed("key \"sql\" not found")
    sql = args["sql"]
    read_only = bool(args.get("read_only", False))
    check = args.get("check_metadata_consistency")
    if check is None:
        # Hasura rebuilds its schema (and checks the metadata) only after SQL that looks like
        # it changes the schema; data changes (an INSERT into an enum table) wait for a reload.
        check = not read_only and bool(_DDL.search(sql))
    before = (await renames.snapshot(ctx.conn, ctx.metadata),
              await tracked_functions.snapshot(ctx.conn, ctx.metadata)) if check else None
    if args.get("no_transaction") and not read_only:
        return await _run_outside(ctx, sql, before, bool(args.get("cascade", False)))
    try:
        if read_only:
            result: dict[str, Any] = {}
            try:
                async with ctx.conn.transaction():
                    await ctx.conn.execute("SET TRANSACTION READ ONLY")
                    result = await _run(ctx.conn, sql)
                    raise _ReadOnlyDoneError
            except _ReadOnlyDoneError:
                pass
            return result
        result = await _run(ctx.conn, sql)
    except asyncpg.PostgresError as exc:
        raise postgres_error(exc, sql) from None
    if before is not None:
        await _after_schema_change(ctx, before, bool(args.get("cascade", False)))
    return result


_Before = tuple[renames.Snapshot, tracked_functions.Snapshot]


async def _after_schema_change(ctx: OpContext, before: _Before, cascade: bool) -> None:
    """Check the tracked functions, carry renames, then drop (or refuse) what stopped resolving.

    Tracked functions may not be overloaded or made VOLATILE (:mod:`tracked_functions`).
    """
    ctx.mark_database_changed()
    await tracked_functions.check(ctx.conn, ctx.metadata, before[1])
    if await renames.carry(ctx.conn, ctx.metadata, before[0], await ctx.catalog()):
        ctx.mark_changed()
    await _reconcile(ctx, cascade=cascade)


async def _run_outside(ctx: OpContext, sql: str, before: _Before | None,
                       cascade: bool) -> dict[str, Any]:
    """``no_transaction``: the SQL runs outside the request's transaction, committed.

    ``CREATE INDEX CONCURRENTLY`` needs that; the request's own connection keeps its transaction.
    """
    if ctx.pool is None:
        raise MetadataError("no_transaction is not available here", "not-supported")
    # The request's transaction keeps the snapshot of its last extended-protocol query (its
    # unnamed portal lives until the next one): CREATE INDEX CONCURRENTLY would wait for
    # that snapshot, and so for this very request, forever. A simple-protocol statement
    # drops the portal.
    await ctx.conn.execute("SELECT 1")
    async with ctx.pool.acquire() as conn:
        try:
            # One statement at a time: several in one query string form one implicit
            # transaction, which CREATE INDEX CONCURRENTLY refuses.
            for statement in split_statements(sql):
                await conn.execute(statement)
        except asyncpg.PostgresError as exc:
            raise postgres_error(exc, sql) from None
    if before is not None:
        await _after_schema_change(ctx, before, cascade)
    return {"result_type": "CommandOk", "result": None}


async def _run(conn: DbConnection, sql: str) -> dict[str, Any]:
    try:
        async with conn.transaction():
            statement = await conn.prepare(sql)
    except asyncpg.PostgresSyntaxError as exc:
        if _MULTIPLE not in str(exc):
            raise
        # Several statements: the simple protocol runs them all; the last one's rows are lost.
        await conn.execute(sql)
        return {"result_type": "CommandOk", "result": None}
    attributes = statement.get_attributes()
    rows = await statement.fetch()
    if not attributes:
        return {"result_type": "CommandOk", "result": None}
    header = [attr.name for attr in attributes]
    return {"result_type": "TuplesOk",
            "result": [header, *[[pg_text(value) for value in row] for row in rows]]}


async def _reconcile(ctx: OpContext, *, cascade: bool) -> None:
    known = {item.get("name") for item in ctx.inconsistencies}
    found = consistency.check(ctx.metadata, await ctx.catalog())
    new = [item for item in found if item.name not in known]
    dependents = [item for item in new if item.type != "table"]
    if dependents and not cascade:
        raise MetadataError(
            "cannot drop due to the following dependent objects : "
            + ", ".join(item.name for item in dependents), "dependency-error")
    if new:
        consistency.drop_all(ctx.metadata, new)
        ctx.mark_changed()


def split_statements(sql: str) -> list[str]:
    """``sql`` cut at the semicolons that end statements.

    Semicolons in strings, quoted identifiers, dollar-quoted bodies and comments stay.
    """
    out: list[str] = []
    start = i = 0
    n = len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            i = sql.find(c, i + 1)
            while i != -1 and i + 1 < n and sql[i + 1] == c:
                i = sql.find(c, i + 2)
            i = n if i == -1 else i + 1
        elif c == "-" and sql.startswith("--", i):
            i = n if sql.find("\n", i) == -1 else sql.find("\n", i) + 1
        elif c == "/" and sql.startswith("/*", i):
            i = n if sql.find("*/", i) == -1 else sql.find("*/", i) + 2
        elif c == "$" and (m := _DOLLAR.match(sql, i)):
            end = sql.find(m.group(0), m.end())
            i = n if end == -1 else end + len(m.group(0))
        elif c == ";":
            out.append(sql[start:i])
            i += 1
            start = i
        else:
            i += 1
    out.append(sql[start:])
    return [s for s in out if s.strip() and not _ONLY_COMMENTS.fullmatch(s)]


def postgres_error(exc: asyncpg.PostgresError, sql: str) -> MetadataError:
    """A database error as Hasura reports it (``postgres-error`` with the details inside)."""
    details = {
        "message": str(exc),
        "status_code": getattr(exc, "sqlstate", None),
        "exec_status": "FatalError",
        "description": getattr(exc, "detail", None),
        "hint": getattr(exc, "hint", None),
    }
    return MetadataError(
        "query execution failed", "postgres-error",
        internal={"statement": sql, "prepared": False, "error": details, "arguments": []},
    )


def pg_text(value: Any) -> str | None:
    """A decoded value back in PostgreSQL's text output format."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        text = value.isoformat(sep=" ")
        return text[:-3] if text.endswith(":00") and value.tzinfo is not None else text
    if isinstance(value, datetime.date | datetime.time | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    if isinstance(value, list | tuple):
        inner = ",".join("NULL" if v is None else _array_item(pg_text(v) or "") for v in value)
        return "{" + inner + "}"
    return str(value)


def _array_item(text: str) -> str:
    if text == "" or any(c in text for c in ' ,{}"\\') or text.upper() == "NULL":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text
