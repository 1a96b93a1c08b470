"""Object selections: one row's JSON text, its relationships and remote-join slots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.catalog.model import quote
from engine.graphql.bare_strings import BARE_STRING_TYPES, bare_string, outside_row
from engine.graphql.calls import computed_call
from engine.graphql.errors import validation
from engine.graphql.joins import JOIN_SLOT_KEY
from engine.graphql.jsonpath import parse_path
from engine.graphql.model import Relationship, TableInfo
from engine.graphql.relay import relay_field
from engine.graphql.row_sets import rows_array
from engine.graphql.scalars import STRINGIFIED
from engine.graphql.selection import Selected
from engine.graphql.sqltext import (
    Const,
    FoundObject,
    JsonPart,
    json_object,
    json_string,
    json_value,
    or_null,
)

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler


def object_json(c: Compiler, info: TableInfo, alias: str,
                fields: list[Selected]) -> tuple[str, list[str]]:
    """The JSON text of one row's object and the LEFT JOINs it needs."""
    perm = c.select_perm(info)
    f2c = info.field_to_column()
    pairs: list[tuple[str, JsonPart]] = []
    joins: list[str] = []
    for sel in fields:
        name = sel.name
        if c.relay and relay_field(c, info, alias, sel, pairs):
            continue
        if name == "__typename":
            pairs.append((sel.alias, json_string(info.name)))
        elif name in f2c and f2c[name] in perm.columns:
            expr = c.column_expr(info, alias, f2c[name])
            sql_type = c.column_type(info, f2c[name])
            path_arg = c.values.concrete(c.arguments(sel.node).get("path")) \
                if sel.node.arguments else None
            if path_arg is not None:
                keys = parse_path(str(path_arg), f"{sel.path}.args.path")
                expr = f"{expr} #> {c.params.add(keys, lambda v: v)}::text[]"
                sql_type = ""
            value = c.redacted(info, alias, f2c[name], expr)
            nullable = value != expr or info.table.columns[f2c[name]].nullable
            bare = bare_string(c, value, nullable) if sql_type in BARE_STRING_TYPES else None
            pairs.append((sel.alias, json_value(value, sql_type) if bare is None else bare))
        elif name in info.relationships and c.can_select(info.relationships[name].remote):
            rel = info.relationships[name]
            remote = c.model.tables[rel.remote]
            if rel.array:
                pairs.append((sel.alias, array_relationship(c, rel, remote, alias, sel)))
            else:
                expr, more = object_relationship(c, rel, remote, alias, sel)
                pairs.append((sel.alias, expr))
                joins.extend(more)
        elif name.endswith("_aggregate") and name[:-10] in info.relationships \
                and info.relationships[name[:-10]].array:
            rel = info.relationships[name[:-10]]
            remote = c.model.tables[rel.remote]
            if not c.can_select(rel.remote) or not c.select_perm(
                    remote).allow_aggregations:
                raise validation(f"field '{name}' not found in type: '{info.name}'", sel.path)
            with outside_row(c):
                pairs.append((sel.alias,
                              or_null(aggregate_relationship(c, rel, remote, alias, sel))))
        elif c.computed_allowed(info, name):
            cf = info.computed[name]
            if cf.returns is None:
                expr = computed_call(c, cf, alias, c.arguments(sel.node).get("args"))
                fn = cf.function
                sql_type = fn.return_base if fn.return_schema == "pg_catalog" else ""
                if c.options.stringify_numeric_types and fn.return_base in STRINGIFIED:
                    expr = f"({expr})::text"
                    sql_type = "text"
                pairs.append((sel.alias,
                              json_value(c.redacted(info, alias, name, expr), sql_type)))
            else:
                remote = c.model.tables[cf.returns]
                ra = c.new_alias()
                call = computed_call(c, cf, alias, c.arguments(sel.node).get("args"))
                rows = rows_array(c, remote, ra, sel, [], source=f"{call} {ra}")
                pairs.append((sel.alias, f"({rows})"))
        elif name in c.joins.get(info.key, {}):
            pairs.append((sel.alias, join_slot(c, info, alias, sel)))
        else:
            raise validation(f"field '{name}' not found in type: '{info.name}'", sel.path)
    return json_object(pairs), joins


def join_slot(c: Compiler, info: TableInfo, alias: str, sel: Selected) -> str:
    """A remote relationship's place in the row: its slot number and join columns."""
    found = c.joins[info.key][sel.name]
    c.join_slots.append((found, sel))
    slot = Const(str(len(c.join_slots) - 1))
    pairs: list[tuple[str, JsonPart]] = [(JOIN_SLOT_KEY, slot)]
    pairs.extend((col, c.column_json(info, alias, col)) for col in found.columns)
    return json_object(pairs)


def object_relationship(c: Compiler, rel: Relationship, remote: TableInfo, alias: str,
                        sel: Selected) -> tuple[str, list[str]]:
    """An object relationship: a LEFT JOIN when a key guarantees one row, else a subquery."""
    ra = c.new_alias()
    fields = c.fields(sel, {remote.name})
    cond = c.join_on(rel, alias, ra)
    perm = c.select_filter(remote, ra)
    if perm != "true":
        cond = f"{cond} AND {perm}"
    if rel.unique:
        obj, joins = object_json(c, remote, ra, fields)
    else:
        with outside_row(c):  # a subquery of the row
            obj, joins = object_json(c, remote, ra, fields)
    if rel.unique:
        join = [f"LEFT JOIN {remote.table.qualified} {ra} ON {cond}", *joins]
        if rel.always_found and perm == "true" and c.reads_committed_rows:
            return obj, join  # the key guarantees the row: no test per row
        return FoundObject(f"{ra}.{quote(rel.mapping[0][1])}", obj), join
    return or_null(f"(SELECT {obj} FROM {remote.table.qualified} {ra} {' '.join(joins)} "
                   f"WHERE {cond} LIMIT 1)"), []


def array_relationship(c: Compiler, rel: Relationship, remote: TableInfo, alias: str,
                       sel: Selected) -> str:
    """An array relationship: a correlated subquery aggregating JSON text."""
    ra = c.new_alias()
    return f"({rows_array(c, remote, ra, sel, [c.join_on(rel, alias, ra)])})"


def aggregate_relationship(c: Compiler, rel: Relationship, remote: TableInfo, alias: str,
                           sel: Selected) -> str:
    """``<rel>_aggregate`` of an array relationship."""
    ra = c.new_alias()
    return c.aggregate(remote, ra, sel, [c.join_on(rel, alias, ra)])
