"""Inserts with nested object and array relationships: several statements in one transaction.

Parents referenced through a foreign key go first, then the row, then its array children, as
Hasura does; the response is built at the end from the inserted rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
import orjson

from engine.catalog.db import Connection
from engine.graphql.compiler import Compiler
from engine.graphql.errors import GraphQLFieldError, validation
from engine.graphql.model import TableInfo
from engine.graphql.mutations import CHECK_FAILED, MutationCompiler
from engine.graphql.params import ParameterError, bind
from engine.graphql.pgerrors import map_postgres_error
from engine.graphql.providers import JoinField
from engine.graphql.selection import Selected
from engine.graphql.sqltext import Const, JsonPart, json_object, json_objects, json_string


class NestedInsert:
    """Runs one nested insert root field on a connection inside the mutation's transaction."""

    def __init__(self, conn: Connection, new_compiler: Callable[[], Compiler],
                 variables: Mapping[str, Any], session: Mapping[str, str]) -> None:
        self.conn = conn
        self.new_compiler = new_compiler
        self.join_slots: list[tuple[JoinField, Selected]] = []
        """The response's remote join fields (answered after the transaction)."""
        self.variables = variables
        self.session = session
        self.affected = 0

    async def row(self, info: TableInfo, obj: dict[str, Any], on_conflict: Any, path: str,
                  extra: dict[str, Any]) -> dict[str, Any] | None:
        """Insert one object (and its relationships); the inserted row as JSON."""
        compiler = self.new_compiler()
        if compiler.access(info.key).insert is None:
            raise validation(f"insert not allowed on '{info.name}'", path)
        self._validate(info, compiler, obj, path, extra)
        extra = dict(extra)
        plain: dict[str, Any] = {}
        arrays: list[tuple[Any, Any]] = []
        for key, value in obj.items():
            rel = info.relationships.get(key)
            if rel is None:
                plain[key] = value
                continue
            spec = compiler.values.deep(value)
            if spec is None:
                continue  # ``author: null`` / ``articles: null``: nothing to insert there
            remote = compiler.model.tables[rel.remote]
            if rel.array:
                arrays.append((rel, spec))
                continue
            if rel.local_fk:
                parent = await self.row(remote, spec.get("data") or {}, spec.get("on_conflict"),
                                        f"{path}.{key}.data", {})
                if parent is not None:
                    for local, rcol in rel.mapping:
                        extra[local] = parent.get(rcol)
            else:
                arrays.append((rel, {"data": [spec.get("data") or {}],
                                     "on_conflict": spec.get("on_conflict")}))
        mc = MutationCompiler(compiler)
        modify = mc.insert_modify(info, [plain], on_conflict, path, path, [extra],
                                  returning="row_to_json(_t)::text AS \"__row\"")
        sql = f"WITH _m AS ({modify}) SELECT \"__row\", \"__check\" FROM _m"
        try:
            args = bind(compiler.params.sources, self.variables, self.session)
            record = await self.conn.fetchrow(sql, *args)
        except ParameterError as exc:
            exc.path = path
            raise
        except asyncpg.PostgresError as exc:
            # Hasura reports a database error at the object being inserted.
            raise map_postgres_error(exc, path) from exc
        if record is None:
            return None
        if record[1] is False:
            raise GraphQLFieldError(CHECK_FAILED, "permission-error", path)
        self.affected += 1
        row: dict[str, Any] = orjson.loads(record[0])
        for rel, spec in arrays:
            remote = compiler.model.tables[rel.remote]
            children = spec.get("data") or []
            for i, child in enumerate(children if isinstance(children, list) else [children]):
                link = {rcol: row.get(local) for local, rcol in rel.mapping}
                await self.row(remote, child, spec.get("on_conflict"),
                               f"{path}.{rel.name}.data[{i}]", link)
        return row

    @staticmethod
    def _validate(info: TableInfo, compiler: Compiler, obj: dict[str, Any], path: str,
                  extra: Mapping[str, Any]) -> None:
        """Refuse columns given twice: by the object and by its parent or object relationship.

        Hasura checks the columns a parent row determines first, then each object relationship
        whose local columns are already given (by the object or by the parent).
        """
        f2c = info.field_to_column()
        given = [f2c[k] for k in obj if k in f2c]
        conflicts = [c for c in given if c in extra]
        if conflicts:
            raise validation(f"cannot insert {_columns(conflicts)} columns as their values are "
                             "already being determined by parent insert", path)
        for key, value in obj.items():
            rel = info.relationships.get(key)
            if rel is None or rel.array or not rel.local_fk \
                    or compiler.values.deep(value) is None:
                continue
            taken = [local for local, _ in rel.mapping if local in extra or local in given]
            if taken:
                raise validation(f'cannot insert object relationship "{key}" as '
                                 f"{_columns(taken)} column values are already determined",
                                 f"{path}.{key}")

    async def run(self, info: TableInfo, sel: Selected, objects: list[dict[str, Any]],
                  one: bool, args: Mapping[str, Any]) -> str | None:
        """Insert every object; the root field's JSON text."""
        key = "object" if one else "objects"
        rows = []
        for i, obj in enumerate(objects):
            path = f"{sel.path}.args.{key}" + ("" if one else f"[{i}]")
            inserted = await self.row(info, obj, args.get("on_conflict"), path, {})
            if inserted is not None:
                rows.append(inserted)
        compiler = self.new_compiler()
        rows_param = compiler.params.add(orjson.dumps(rows).decode(), lambda v: v)
        source = f"json_populate_recordset(NULL::{info.table.qualified}, {rows_param}::json) _r"
        if one:
            one_obj, joins = compiler.object_json(info, "_r", compiler.fields(sel, {info.name}))
            sql = f"SELECT {one_obj} FROM {source} {' '.join(joins)} LIMIT 1"
        else:
            pairs: list[tuple[str, JsonPart]] = []
            joins = []
            for f in compiler.fields(sel, {f"{info.name}_mutation_response"}):
                if f.name == "affected_rows":
                    pairs.append((f.alias, Const(str(int(self.affected)))))
                elif f.name == "returning":
                    o, more = compiler.object_json(info, "_r", compiler.fields(f, {info.name}))
                    joins.extend(more)
                    pairs.append((f.alias, json_objects(o)))
                elif f.name == "__typename":
                    pairs.append((f.alias, json_string(f"{info.name}_mutation_response")))
            sql = f"SELECT {json_object(pairs)} FROM {source} {' '.join(joins)}"
        args_out = bind(compiler.params.sources, self.variables, self.session)
        self.join_slots = compiler.join_slots
        result: str | None = await self.conn.fetchval(sql, *args_out)
        return result


def _columns(columns: list[str]) -> str:
    """Column names as Hasura lists them in messages: quoted, comma-separated."""
    return ", ".join(f'"{c}"' for c in columns)
