"""The v1 query API's ``select``, ``count``, ``update`` and ``delete`` over the GraphQL model.

Columns, relationships (nested ``{"name", "columns", "where", ...}``), boolean expressions
with every operator (``$gt``, ``$in``, ``$like``, ``$not``, relationship filters, ...) and
the role's select permission (filter, columns, limit) work as on ``/v1/graphql``. Values
travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from engine.catalog import introspect
from engine.catalog.model import quote
from engine.graphql.boolexp import BoolExp
from engine.graphql.compiler import Compiler
from engine.graphql.errors import GraphQLFieldError
from engine.graphql.model import Model, TableInfo, qualified
from engine.graphql.options import EngineOptions
from engine.graphql.params import bind
from engine.graphql.resolve import build_model
from engine.graphql.sqltext import literal
from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, parse_failed
from engine.metadata.ops import register
from engine.metadata.ops.dml import numeric_value
from engine.metadata.ops.run_sql import postgres_error


def permission_denied(message: str, path: str) -> MetadataError:
    """Hasura's ``permission-denied`` (its code for unknown columns here too)."""
    return MetadataError(message, "permission-denied", path=path)


@dataclass
class Dml:
    """A compiler for one v1 request: the model as this transaction sees it, and the role."""

    ctx: OpContext
    model: Model
    compiler: Compiler

    @classmethod
    async def create(cls, ctx: OpContext) -> Dml:
        """Introspect the database in the request's transaction and resolve the metadata."""
        catalog = await introspect(ctx.conn)
        model = build_model(catalog, ctx.metadata)
        options = ctx.graphql_options or EngineOptions()
        compiler = Compiler(model, ctx.session.role, options, {}, {}, {})
        # Values stay text cast in SQL: PostgreSQL reports a bad one (postgres_error below).
        compiler.params.typed_values = False
        return cls(ctx, model, compiler)

    @property
    def role(self) -> str:
        """The request's role."""
        return self.ctx.session.role

    def table(self, args: Any) -> TableInfo:
        """The tracked table ``args["table"]`` names."""
        if not isinstance(args, dict) or "table" not in args:
            raise parse_failed('key "table" not found')
        key = qualified(args["table"])
        info = self.model.tables.get(key)
        if info is None:
            shown = key[1] if key[0] == "public" else f"{key[0]}.{key[1]}"
            raise MetadataError(f'table "{shown}" does not exist', "not-exists",
                                path="$.args.table")
        return info

    def require(self, info: TableInfo, kind: str) -> Any:
        """The role's ``kind`` permission on the table, or Hasura's permission-denied error."""
        perm = getattr(self.compiler.access(info.key), kind)
        if perm is None:
            raise permission_denied(f'{kind} on "{info.table.name}" for role "{self.role}" is '
                                    "not allowed. ", "$.args")
        return perm

    def where(self, info: TableInfo, alias: str, expr: Any, path: str) -> str:
        """A v1 ``where`` (column names, ``$``- or ``_``-prefixed operators)."""
        if expr in (None, {}):
            return "true"
        try:
            return BoolExp(self.compiler, permission=True).compile(info, alias, expr, path)
        except GraphQLFieldError as exc:
            raise MetadataError(exc.message, "parse-failed", path=exc.path) from None

    def conditions(self, info: TableInfo, alias: str, where: Any, path: str) -> list[str]:
        """The role's select filter and ``where``."""
        conds = [self.compiler.select_filter(info, alias), self.where(info, alias, where, path)]
        return [c for c in conds if c != "true"]

    def order_by(self, info: TableInfo, alias: str, raw: Any, path: str) -> str:
        """``+col``, ``-col`` or ``{"column", "type", "nulls"}`` items as ORDER BY."""
        if raw is None:
            return ""
        items = raw if isinstance(raw, list) else [raw]
        out = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                desc = item.startswith("-")
                column = item.lstrip("+-")
                nulls = None
            elif isinstance(item, dict):
                column = str(item.get("column"))
                desc = item.get("type") == "desc"
                nulls = item.get("nulls")
            else:
                raise parse_failed("expected a string or an object", f"{path}[{i}]")
            self.check_column(info, column, f"{path}[{i}]")
            order = f"{alias}.{quote(column)} {'DESC' if desc else 'ASC'}"
            if nulls in ("first", "last"):
                order += f" NULLS {nulls.upper()}"
            out.append(order)
        return " ORDER BY " + ", ".join(out)

    def check_column(self, info: TableInfo, column: str, path: str) -> None:
        """Refuse a column that does not exist or that the role may not select."""
        if column not in info.table.columns:
            raise permission_denied(f'no such column exists: "{column}"', path)
        perm = self.require(info, "select")
        if column not in perm.columns:
            raise permission_denied(f'role "{self.role}" does not have permission to select '
                                    f'column "{column}"', path)

    def limit(self, info: TableInfo, raw: Any, path: str) -> int | None:
        """``limit`` capped by the permission's."""
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int) or raw < 0):
            raise parse_failed("expected a non-negative integer", path)
        perm = self.require(info, "select")
        if perm.limit is not None:
            return int(perm.limit) if raw is None else min(raw, int(perm.limit))
        return raw

    def object_expr(self, info: TableInfo, alias: str, columns: Any, path: str) -> str:
        """``json_build_object(...)`` of the ``columns`` spec for one row of ``alias``."""
        perm = self.require(info, "select")
        if columns == "*" or columns is None:
            columns = ["*"]
        if not isinstance(columns, list):
            raise parse_failed("expected an array of columns", path)
        pairs: list[str] = []
        for i, spec in enumerate(columns):
            sub = f"{path}[{i}]"
            if spec == "*":
                pairs.extend(f"{literal(c)}, {self.compiler.column_expr(info, alias, c)}"
                             for c in info.table.columns if c in perm.columns)
            elif isinstance(spec, str):
                self.check_column(info, spec, sub)
                pairs.append(f"{literal(spec)}, {self.compiler.column_expr(info, alias, spec)}")
            elif isinstance(spec, dict) and isinstance(spec.get("name"), str):
                pairs.append(self.relationship(info, alias, spec, sub))
            else:
                raise parse_failed("expected a column name or a relationship object", sub)
        return f"json_build_object({', '.join(pairs)})"

    def relationship(self, info: TableInfo, alias: str, spec: dict[str, Any], path: str) -> str:
        """``'name', <object or array>`` of a nested relationship column."""
        name = str(spec["name"])
        rel = info.relationships.get(name)
        if rel is None:
            raise permission_denied(f'no such column exists: "{name}"', f"{path}.name")
        remote = self.model.tables[rel.remote]
        self.require(remote, "select")
        ra = self.compiler.new_alias()
        join = self.compiler.join_on(rel, alias, ra)
        label = str(spec.get("alias") or name)
        if not rel.array:
            conds = [join, *self.conditions(remote, ra, None, f"{path}.where")]
            obj = self.object_expr(remote, ra, spec.get("columns"), f"{path}.columns")
            return (f"{literal(label)}, (SELECT {obj} FROM {remote.table.qualified} {ra} "
                    f"WHERE {' AND '.join(conds)} LIMIT 1)")
        rows = self.rows(remote, ra, spec, path, [join])
        return f"{literal(label)}, ({rows})"

    def rows(self, info: TableInfo, alias: str, args: dict[str, Any], path: str,
             extra: list[str]) -> str:
        """A JSON array of the selected rows."""
        obj = self.object_expr(info, alias, args.get("columns"), f"{path}.columns")
        conds = [*extra, *self.conditions(info, alias, args.get("where"), f"{path}.where")]
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        tail = self.order_by(info, alias, args.get("order_by"), f"{path}.order_by")
        limit = self.limit(info, args.get("limit"), f"{path}.limit")
        if limit is not None:
            tail += f" LIMIT {int(limit)}"
        offset = args.get("offset")
        if offset is not None:
            if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
                raise parse_failed("expected a non-negative integer", f"{path}.offset")
            tail += f" OFFSET {int(offset)}"
        return (f"SELECT coalesce(json_agg(_r.j), '[]') FROM (SELECT {obj} AS j FROM "
                f"{info.table.qualified} {alias}{where}{tail}) _r")

    async def fetch(self, sql: str) -> Any:
        """Run ``sql`` with the compiled parameters; the value of its one column."""
        params = bind(self.compiler.params.sources, {}, self.ctx.session.variables)
        try:
            return await self.ctx.conn.fetchval(sql, *params)
        except asyncpg.PostgresError as exc:
            raise postgres_error(exc, sql) from None


@register("select", apis=("query",))
async def select(ctx: OpContext, args: Any) -> list[Any]:
    """Rows of a tracked table (``columns``, ``where``, ``order_by``, ``limit``, ``offset``)."""
    dml = await Dml.create(ctx)
    info = dml.table(args)
    dml.require(info, "select")
    rows = dml.rows(info, dml.compiler.new_alias(), args, "$.args", [])
    text = await dml.fetch(f"SELECT ({rows})::text")
    return list(orjson.loads(text))


@register("count", apis=("query",))
async def count(ctx: OpContext, args: Any) -> dict[str, Any]:
    """How many rows match ``where`` (``distinct``: how many distinct values of columns)."""
    dml = await Dml.create(ctx)
    info = dml.table(args)
    dml.require(info, "select")
    alias = dml.compiler.new_alias()
    distinct = args.get("distinct")
    conds = dml.conditions(info, alias, args.get("where"), "$.args.where")
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    if distinct:
        if not isinstance(distinct, list):
            raise parse_failed("expected an array of columns", "$.args.distinct")
        for i, col in enumerate(distinct):
            dml.check_column(info, str(col), f"$.args.distinct[{i}]")
        cols = ", ".join(f"{alias}.{quote(str(c))}" for c in distinct)
        sql = (f"SELECT count(*) FROM (SELECT DISTINCT {cols} FROM {info.table.qualified} "
               f"{alias}{where}) _d")
    else:
        sql = f"SELECT count(*) FROM {info.table.qualified} {alias}{where}"
    return {"count": await dml.fetch(sql)}


_UPDATE_OPERATORS = ("$set", "$inc", "$mul", "$default")


async def _changing(ctx: OpContext, args: Any, kind: str) -> tuple[Dml, TableInfo, Any, str]:
    """What an ``update``/``delete`` needs: ``where`` present, the table, the permission."""
    if not isinstance(args, dict):
        raise parse_failed("expecting an object for args")
    if "where" not in args:
        raise parse_failed('key "where" not found', "$")
    dml = await Dml.create(ctx)
    info = dml.table(args)
    return dml, info, dml.require(info, kind), dml.compiler.new_alias()


@register("update", apis=("query",))
async def update(ctx: OpContext, args: Any) -> dict[str, Any]:
    """``$set``, ``$inc``, ``$mul`` and ``$default`` on the rows matching ``where``.

    ``where`` is required (Hasura answers ``key "where" not found``); ``returning`` lists
    columns of the updated rows. The role's update permission applies (filter, columns,
    presets).
    """
    dml, info, perm, alias = await _changing(ctx, args, "update")
    sets: dict[str, str] = {}
    for op in _UPDATE_OPERATORS:
        given = args.get(op) or args.get("_" + op[1:])
        if given is None:
            continue
        columns = given if op == "$default" else list(given)
        if not isinstance(columns, list):
            raise parse_failed("expected an array of columns", f"$.args.{op}")
        for column in columns:
            column = str(column)
            if column not in info.table.columns:
                raise parse_failed(f'no such column exists: "{column}"', f"$.args.{op}")
            if column not in perm.columns:
                raise permission_denied(f'role "{dml.role}" does not have permission to update '
                                        f'column "{column}"', f"$.args.{op}")
            col = info.table.columns[column]
            ref = quote(column)
            if op == "$default":
                sets[column] = "DEFAULT"
                continue
            value = dml.compiler.params.text(given[column], col.type)
            if col.base == "numeric":
                value = numeric_value(value)  # scale widened as Hasura's binary encoding does
            sets[column] = {"$set": value, "$inc": f"{ref} + {value}",
                            "$mul": f"{ref} * {value}"}[op]
    for column, preset in (perm.set or {}).items():
        sets[column] = dml.compiler.params.text(preset, info.table.columns[column].type)
    if not sets:
        raise MetadataError("atleast one of $set, $inc, $mul, $default, $delete_key, "
                            "$delete_elem, $delete_at_path are expected", "parse-failed",
                            path="$.args")
    conds = [c for c in (dml.compiler.permission_condition(info, alias, perm.filter),
                         dml.where(info, alias, args.get("where"), "$.args.where")) if c != "true"]
    assignments = ", ".join(f"{quote(c)} = {v}" for c, v in sets.items())
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    statement = (f"UPDATE {info.table.qualified} {alias} SET {assignments}{where} "
                 f"RETURNING {alias}.*")
    return await mutation_result(dml, info, statement, args.get("returning"), perm.check)


@register("delete", apis=("query",))
async def delete(ctx: OpContext, args: Any) -> dict[str, Any]:
    """Delete the rows matching ``where`` (required); ``returning`` as for ``update``."""
    dml, info, perm, alias = await _changing(ctx, args, "delete")
    conds = [c for c in (dml.compiler.permission_condition(info, alias, perm.filter),
                         dml.where(info, alias, args.get("where"), "$.args.where")) if c != "true"]
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    statement = f"DELETE FROM {info.table.qualified} {alias}{where} RETURNING {alias}.*"
    return await mutation_result(dml, info, statement, args.get("returning"))


async def mutation_result(dml: Dml, info: TableInfo, statement: str, returning: Any,
                          check: Any = None) -> dict[str, Any]:
    """``affected_rows`` and, when asked for, ``returning`` of a data-changing statement.

    ``check``: the permission's check on the changed rows; a row failing it fails the request
    (the transaction is rolled back).
    """
    alias = dml.compiler.new_alias()
    passed = "true" if not check else \
        f"coalesce(bool_and({dml.compiler.permission_condition(info, alias, check)}), true)"
    if returning is None:
        obj = "NULL::json"
    else:
        if not isinstance(returning, list):
            raise parse_failed("expected an array of columns", "$.args.returning")
        for i, column in enumerate(returning):
            if str(column) not in info.table.columns:
                raise parse_failed(f'no such column exists: "{column}"',
                                   f"$.args.returning[{i}]")
        pairs = ", ".join(f"{literal(str(c))}, {dml.compiler.column_expr(info, alias, str(c))}"
                          for c in returning)
        obj = f"coalesce(json_agg(json_build_object({pairs})), '[]')"
    text = await dml.fetch(f"WITH {alias} AS ({statement}) "
                           f"SELECT json_build_object('affected_rows', count(*), "
                           f"'returning', {obj}, 'passed', {passed})::text FROM {alias}")
    result: dict[str, Any] = orjson.loads(text)
    if result.pop("passed") is False:
        raise MetadataError("check constraint of an insert/update permission has failed",
                            "permission-error", path="$.args")
    if returning is None:
        result.pop("returning", None)
    return result
