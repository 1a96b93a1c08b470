"""The v1 query API's data operations (``insert``, ``select``, ``count``, ``update``, ``delete``).

Test setups use them to load rows into tracked tables. Rows travel as one JSON parameter
and PostgreSQL converts them to the table's row type (``json_populate_recordset``), so no
value is ever spliced into SQL text.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from engine.metadata import model
from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.run_sql import postgres_error


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _table_sql(entry: dict[str, Any]) -> str:
    name = model.qualified(entry["table"])
    return f"{_ident(name['schema'])}.{_ident(name['name'])}"


async def _columns(ctx: OpContext, entry: dict[str, Any]) -> list[str]:
    return (await ctx.catalog()).columns(model.key(model.qualified(entry["table"])))


def _check_columns(names: list[str] | set[str], known: list[str]) -> None:
    for column in names:
        if column not in known:
            raise MetadataError(f"no such column exists: \"{column}\"", "not-exists")


def _returning(args: dict[str, Any], known: list[str]) -> str | None:
    columns = args.get("returning")
    if columns is None:
        return None
    if not isinstance(columns, list):
        raise parse_failed("'returning' must be a list of columns")
    _check_columns(columns, known)
    pairs = ", ".join(f"{_literal(c)}, r.{_ident(c)}" for c in columns) if columns else ""
    return f"coalesce(json_agg(json_build_object({pairs})), '[]')"


@register("insert", apis=("query",))
async def insert(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Insert ``objects`` into a tracked table; answers ``affected_rows`` (and ``returning``)."""
    if not ctx.session.is_admin:
        from engine.metadata.ops.dml_insert import insert_as_role

        return await insert_as_role(ctx, args)
    entry = ctx.table(args)
    objects = args.get("objects")
    if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
        raise parse_failed("'objects' must be a list of objects")
    known = await _columns(ctx, entry)
    returning = _returning(args, known)
    conflict = _on_conflict(args.get("on_conflict"))
    # Runs of objects giving the same columns, in order: ``returning`` keeps the objects' order.
    groups: list[tuple[tuple[str, ...], list[dict[str, Any]]]] = []
    for obj in objects:
        _check_columns(set(obj), known)
        columns = tuple(sorted(obj))
        if groups and groups[-1][0] == columns:
            groups[-1][1].append(obj)
        else:
            groups.append((columns, [obj]))
    affected = 0
    rows: list[Any] = []
    for columns, group in groups:
        listed = ", ".join(_ident(c) for c in columns)
        table = _table_sql(entry)
        source = _rows_source(table, columns, await _spatial_columns(ctx, entry),
                              await _numeric_columns(ctx, entry))
        target = f"({listed})" if columns else ""
        if not columns:
            statement = f"INSERT INTO {table} DEFAULT VALUES RETURNING *"  # noqa: S608
        else:
            statement = f"INSERT INTO {table} {target} {source}{conflict(columns)} RETURNING *"
        query = (f"WITH r AS ({statement}) SELECT count(*), "  # noqa: S608
                 f"{returning or 'NULL::json'}::text FROM r")
        try:
            for _ in range(1 if columns else len(group)):
                row = await ctx.conn.fetchrow(
                    query, *([orjson.dumps(group).decode()] if columns else []))
                assert row is not None
                count, returned = row
                affected += count
                if returned:
                    rows.extend(orjson.loads(returned))
        except asyncpg.PostgresError as exc:
            raise postgres_error(exc, query) from None
    result: dict[str, Any] = {"affected_rows": affected}
    if returning is not None:
        result["returning"] = rows
    return result


_SPATIAL = """
SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND t.typname IN ('geometry', 'geography')
"""


async def _spatial_columns(ctx: OpContext, entry: dict[str, Any]) -> dict[str, str]:
    """PostGIS columns of the table with their types (their values arrive as GeoJSON)."""
    rows = await ctx.conn.fetch(_SPATIAL, _table_sql(entry))
    return {str(row[0]): str(row[1]) for row in rows}


_NUMERIC = """
SELECT a.attname::text
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND t.typname = 'numeric'
"""


async def _numeric_columns(ctx: OpContext, entry: dict[str, Any]) -> set[str]:
    """Numeric columns of the table (their scale is widened as Hasura's encoder does)."""
    rows = await ctx.conn.fetch(_NUMERIC, _table_sql(entry))
    return {str(row[0]) for row in rows}


def numeric_value(expr: str) -> str:
    """``expr`` with its decimal places rounded up to a multiple of four.

    Hasura sends these values in PostgreSQL's binary numeric format, whose base-10000 digits
    carry four decimal places each, so 12345.67 is stored as 12345.6700 in an unconstrained
    numeric column (a ``numeric(p, s)`` column still rounds it back to ``s``). Hasura's own
    test cases depend on it.
    """
    return f"round({expr}, ((scale({expr}) + 3) / 4) * 4)"


def _rows_source(
    table: str, columns: tuple[str, ...], spatial: dict[str, str], numeric: set[str]
) -> str:
    """A SELECT turning the JSON array ``$1`` into rows of ``columns``.

    Identifiers are quoted names of existing columns; values travel as ``$1`` and are
    converted by PostgreSQL to the table's row type. GeoJSON objects go through
    ``ST_GeomFromGeoJSON`` (the type's own input function wants WKT/EWKB text).
    """
    if not columns:
        return "SELECT FROM json_array_elements($1::json)"
    geo = [c for c in columns if c in spatial]
    if not geo:
        listed = ", ".join(
            numeric_value(f"p.{_ident(c)}") if c in numeric else f"p.{_ident(c)}"
            for c in columns)
        return (f"SELECT {listed} "  # noqa: S608
                f"FROM json_populate_recordset(NULL::{table}, $1::json) AS p")
    dropped = ", ".join(_literal(c) for c in geo)
    exprs = []
    for column in columns:
        if column in spatial:
            value = f"e.v->{_literal(column)}"
            exprs.append(
                f"CASE WHEN json_typeof({value}) = 'object' "
                f"THEN ST_GeomFromGeoJSON(e.v->>{_literal(column)})::{spatial[column]} "
                f"ELSE (e.v->>{_literal(column)})::{spatial[column]} END")
        elif column in numeric:
            exprs.append(numeric_value(f"p.{_ident(column)}"))
        else:
            exprs.append(f"p.{_ident(column)}")
    return (f"SELECT {', '.join(exprs)} FROM json_array_elements($1::json) AS e(v), "  # noqa: S608
            f"LATERAL json_populate_record(NULL::{table}, "
            f"(e.v::jsonb - ARRAY[{dropped}]::text[])::json) AS p")


def _on_conflict(spec: Any) -> Any:
    if spec is None:
        return lambda columns: ""
    if not isinstance(spec, dict) or not isinstance(spec.get("constraint"), str):
        raise parse_failed("'on_conflict' needs a 'constraint'")
    target = f" ON CONFLICT ON CONSTRAINT {_ident(spec['constraint'])}"
    if spec.get("action", "ignore") == "ignore":
        return lambda columns: f"{target} DO NOTHING"

    def update(columns: tuple[str, ...]) -> str:
        sets = ", ".join(f"{_ident(c)} = EXCLUDED.{_ident(c)}" for c in columns)
        return f"{target} DO UPDATE SET {sets}"

    return update
