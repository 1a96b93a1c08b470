"""Compile insert and delete root fields, and the mutation response around any change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from engine.catalog.model import quote
from engine.graphql.boolexp import is_session_var
from engine.graphql.compiler import Compiler
from engine.graphql.errors import GraphQLFieldError, validation
from engine.graphql.geojson import check_geojson
from engine.graphql.model import TableInfo
from engine.graphql.params import to_array_text, to_json_text, to_text
from engine.graphql.scalars import GEOMETRIC
from engine.graphql.selection import Selected
from engine.graphql.sqltext import (
    JsonPart,
    json_count,
    json_object,
    json_objects,
    json_string,
)
from engine.graphql.values import VarRef

CHECK_FAILED = "check constraint of an insert/update permission has failed"
_INT_RANGES = {"int2": 2**15, "int4": 2**31}


@dataclass
class Statement:
    """One compiled SQL statement; the first column is the JSON text, the second a check flag."""

    sql: str
    sources: list[Any]
    check_path: str | None = None
    nested: Any = field(default=None)
    literal: bytes | None = None
    """The answer itself, when no statement is needed (an insert of no objects)."""


def converter(info: TableInfo, column: str) -> Any:
    """How a JSON value becomes parameter text for a column."""
    col = info.table.columns[column]
    if col.base in ("json", "jsonb"):
        return to_json_text
    if col.is_array:
        return to_array_text
    return to_text


class MutationCompiler:
    """Compiles mutation root fields with a :class:`Compiler`'s state."""

    def __init__(self, compiler: Compiler) -> None:
        self.c = compiler
        compiler.derived_rows.add("_r")

    # -- values --------------------------------------------------------------------------
    def value(self, info: TableInfo, column: str, raw: Any, path: str) -> str:
        """A bound value cast to the column's type."""
        col = info.table.columns[column]
        plain = raw.value if isinstance(raw, VarRef) else raw
        limit = _INT_RANGES.get(col.base)
        if limit is not None and isinstance(plain, int) and not isinstance(plain, bool) \
                and not -limit <= plain < limit:
            raise GraphQLFieldError(
                f"The value {_scientific(plain)} lies outside the bounds or is not an integer. "
                "Maybe it is a float, or is there integer overflow?", "parse-failed", path)
        if col.base in GEOMETRIC:
            check_geojson(self.c.values.concrete(raw), path)
            value = self.c.params.add(raw, to_json_text)
            return f"ST_GeomFromGeoJSON({value}::text)::{col.type}"
        return self.c.params.text(raw, col.type, converter(info, column))

    def preset(self, info: TableInfo, column: str, value: Any) -> str:
        """A permission preset (a constant or a session variable)."""
        col = info.table.columns[column]
        if is_session_var(value):
            return f"({self.c.params.session(value)}::text)::{col.type}"
        return self.c.params.text(value, col.type, converter(info, column))

    # -- insert --------------------------------------------------------------------------
    def _check_object(self, info: TableInfo, obj: Any, allowed: frozenset[str],
                      path: str) -> dict[str, Any]:
        obj = self.c.values.concrete(obj)
        if not isinstance(obj, dict):
            raise validation("expected an object", path)
        f2c = info.field_to_column()
        for key in obj:
            if key in info.relationships:
                continue
            if key not in f2c or f2c[key] not in allowed:
                raise validation(
                    f"field '{key}' not found in type: '{info.name}_insert_input'", f"{path}.{key}")
        return obj

    def insert(self, info: TableInfo, sel: Selected, one: bool) -> Statement:
        """``insert_<table>`` / ``insert_<table>_one``."""
        perm = self.c.access(info.key).insert
        if perm is None:
            raise validation(f"field '{sel.name}' not found in type: 'mutation_root'", sel.path)
        args = self.c.arguments(sel.node)
        key = "object" if one else "objects"
        raw = self.c.values.concrete(args.get(key))
        objects = [raw] if (one or isinstance(raw, dict)) else list(raw or [])
        objs_path = f"{sel.path}.args.{key}"
        allowed = frozenset(c for c in perm.columns if c not in perm.set)
        objects = [self._check_object(info, o, allowed, f"{objs_path}[{i}]")
                   for i, o in enumerate(objects)]
        if not objects:
            # Hasura answers an empty insert without running any SQL.
            return Statement("", [], None, literal=self.empty_response(info, sel))
        if any(k in info.relationships for o in objects for k in o):
            return Statement("", [], objs_path, nested=(info, sel, objects, one, args))
        modify = self.insert_modify(info, objects, args.get("on_conflict"), sel.path, objs_path)
        return Statement(self.finish(info, sel, modify, one), self.c.params.sources, objs_path)

    def insert_modify(self, info: TableInfo, objects: list[dict[str, Any]], on_conflict: Any,
                      path: str, objs_path: str, extra: list[dict[str, Any]] | None = None,
                      returning: str = "*") -> str:
        """``INSERT ... RETURNING <returning>, (check) AS "__check"`` for plain objects.

        ``extra`` holds, per object, column values propagated from a parent row (nested inserts).
        """
        perm = self.c.access(info.key).insert
        assert perm is not None
        f2c = info.field_to_column()
        extra = extra or [{} for _ in objects]
        columns: list[str] = []
        for o, e in zip(objects, extra, strict=True):
            for k in o:
                if k in f2c and f2c[k] not in columns:
                    columns.append(f2c[k])
            for c in e:
                if c not in columns:
                    columns.append(c)
        for c in perm.set:
            if c not in columns:
                columns.append(c)
        alias = "_t"
        rows = []
        for i, (o, e) in enumerate(zip(objects, extra, strict=True)):
            by_col = {f2c[k]: v for k, v in o.items() if k in f2c}
            vals = []
            for c in columns:
                if c in perm.set:
                    vals.append(self.preset(info, c, perm.set[c]))
                elif c in e:
                    vals.append(self.value(info, c, e[c], objs_path))
                elif c in by_col:
                    vals.append(self.value(info, c, by_col[c],
                                           f"{objs_path}[{i}].{info.columns[c]}"))
                else:
                    vals.append("DEFAULT")
            rows.append("(" + ", ".join(vals) + ")")
        if columns:
            body = f"({', '.join(quote(c) for c in columns)}) VALUES {', '.join(rows)}"
        else:
            body = "DEFAULT VALUES"
        conflict = self.on_conflict(info, alias, on_conflict, path)
        check = self.c.permission_condition(info, alias, perm.check)
        return (f"INSERT INTO {info.table.qualified} AS {alias} {body}{conflict} "
                f"RETURNING {returning}, ({check}) AS \"__check\"")

    def on_conflict(self, info: TableInfo, alias: str, raw: Any, path: str) -> str:
        """The ON CONFLICT clause of an upsert."""
        spec = self.c.values.deep(raw)
        if spec is None:
            return ""
        upd = self.c.access(info.key).update
        if upd is None:
            raise validation(f"'on_conflict' not allowed for role '{self.c.role}'",
                             f"{path}.args.on_conflict")
        constraint = spec.get("constraint")
        if constraint not in info.table.unique:
            raise validation(f"constraint '{constraint}' not found", f"{path}.args.on_conflict")
        cols = spec.get("update_columns") or []
        if isinstance(cols, str):
            cols = [cols]
        f2c = info.field_to_column()
        for c in cols:
            column = f2c.get(c)
            if column is None or column not in upd.columns or column in upd.set:
                raise validation("erroneous column name", f"{path}.args.on_conflict")
        target = f" ON CONFLICT ON CONSTRAINT {quote(str(constraint))}"
        if not cols:
            return f"{target} DO NOTHING"
        sets = [f"{quote(f2c.get(c, c))} = EXCLUDED.{quote(f2c.get(c, c))}" for c in cols]
        for c, v in upd.set.items():
            sets.append(f"{quote(c)} = {self.preset(info, c, v)}")
        conds = []
        pf = self.c.permission_condition(info, alias, upd.filter)
        if pf != "true":
            conds.append(pf)
        if spec.get("where"):
            conds.append(self.c.where(info, alias, spec["where"], f"{path}.args.on_conflict.where"))
        where = " WHERE " + " AND ".join(conds) if conds else ""
        return f"{target} DO UPDATE SET {', '.join(sets)}{where}"

    def returns(self, info: TableInfo) -> bool:
        """Whether the role's ``<table>_mutation_response`` has ``returning``.

        Hasura offers it only to a role that may select from the table.
        """
        return self.c.access(info.key).select is not None

    def finish(self, info: TableInfo, sel: Selected, modify: str, one: bool) -> str:
        """The statement around a data-modifying CTE: the response JSON and the check flag."""
        check = "(SELECT coalesce(bool_and(\"__check\"), true) FROM _m)"
        if one:
            obj, joins = self.c.object_json(info, "_r", self.c.fields(sel, {info.name}))
            return (f"WITH _m AS ({modify}) SELECT (SELECT {obj} FROM _m _r "
                    f"{' '.join(joins)} LIMIT 1), {check}")
        pairs: list[tuple[str, JsonPart]] = []
        for f in self.c.fields(sel, {f"{info.name}_mutation_response"}):
            if f.name == "affected_rows":
                pairs.append((f.alias, json_count("(SELECT count(*) FROM _m)")))
            elif f.name == "returning" and self.returns(info):
                obj, joins = self.c.object_json(info, "_r", self.c.fields(f, {info.name}))
                # Keep the order rows were written in (joins may reorder them).
                rows = json_objects(obj, ' ORDER BY _r."__n"')
                pairs.append((f.alias, f"(SELECT {rows} FROM (SELECT *, row_number() OVER () "
                                       f"AS \"__n\" FROM _m) _r {' '.join(joins)})"))
            elif f.name == "__typename":
                pairs.append((f.alias, json_string(f"{info.name}_mutation_response")))
            else:
                raise validation(
                    f"field '{f.name}' not found in type: '{info.name}_mutation_response'", f.path)
        return f"WITH _m AS ({modify}) SELECT {json_object(pairs)}, {check}"

    def empty_response(self, info: TableInfo, sel: Selected) -> bytes:
        """The ``<table>_mutation_response`` of a mutation that changed no row."""
        out: dict[str, Any] = {}
        for f in self.c.fields(sel, {f"{info.name}_mutation_response"}):
            if f.name == "affected_rows":
                out[f.alias] = 0
            elif f.name == "returning" and self.returns(info):
                out[f.alias] = []
            elif f.name == "__typename":
                out[f.alias] = f"{info.name}_mutation_response"
            else:
                raise validation(
                    f"field '{f.name}' not found in type: '{info.name}_mutation_response'", f.path)
        return orjson.dumps(out)

    @staticmethod
    def required_where(info: TableInfo, args: dict[str, Any], path: str) -> Any:
        """The ``where`` of ``args``; never absent or null, which would mean every row."""
        if "where" not in args:
            raise validation("missing required field 'where'", path)
        raw = args["where"]
        if (raw.value if isinstance(raw, VarRef) else raw) is None:
            raise validation(f'unexpected null value for type "{info.name}_bool_exp"',
                             f"{path}.where")
        return raw

    # -- delete --------------------------------------------------------------------------
    def delete(self, info: TableInfo, sel: Selected, by_pk: bool) -> Statement:
        """``delete_<table>`` / ``delete_<table>_by_pk``."""
        perm = self.c.access(info.key).delete
        if perm is None:
            raise validation(f"field '{sel.name}' not found in type: 'mutation_root'", sel.path)
        args = self.c.arguments(sel.node)
        alias = "_t"
        conds = []
        pf = self.c.permission_condition(info, alias, perm.filter)
        if pf != "true":
            conds.append(pf)
        if by_pk:
            for column in info.table.primary_key:
                conds.append(f"{alias}.{quote(column)} = "
                             + self.value(info, column, args.get(info.columns[column]), sel.path))
        else:
            w = self.c.where(info, alias, self.required_where(info, args, f"{sel.path}.args"),
                             f"{sel.path}.args.where")
            if w != "true":
                conds.append(w)
        where = " WHERE " + " AND ".join(conds) if conds else ""
        modify = (f"DELETE FROM {info.table.qualified} AS {alias}{where} "
                  f"RETURNING *, true AS \"__check\"")
        return Statement(self.finish(info, sel, modify, by_pk), self.c.params.sources, None)


def _scientific(value: int) -> str:
    """An integer in the scientific notation Hasura's messages use (``2.147483648e9``)."""
    digits = str(abs(value))
    mantissa = digits[0] + "." + (digits[1:].rstrip("0") or "0")
    return f"{'-' if value < 0 else ''}{mantissa}e{len(digits) - 1}"


__all__ = ["CHECK_FAILED", "MutationCompiler", "Statement"]
