"""The statements of query root fields: ``<table>``, ``_by_pk``, ``_aggregate``, functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.catalog.model import quote
from engine.graphql.calls import function_call
from engine.graphql.errors import validation
from engine.graphql.model import TableInfo, TrackedFunction
from engine.graphql.params import to_text
from engine.graphql.row_sets import rows, rows_array
from engine.graphql.selection import Selected

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler


def select_root(c: Compiler, info: TableInfo, sel: Selected) -> str:
    """The statement of a ``<table>`` root field."""
    alias = c.new_alias()
    return rows_array(c, info, alias, sel, [])


def select_by_pk(c: Compiler, info: TableInfo, sel: Selected) -> str:
    """The statement of a ``<table>_by_pk`` root field."""
    alias = c.new_alias()
    args = c.arguments(sel.node)
    conds = []
    for column in info.table.primary_key:
        gname = info.columns[column]
        if gname not in args:
            raise validation(f"missing required field '{gname}'", f"{sel.path}.args")
        col = info.table.columns[column]
        conds.append(f"{alias}.{quote(column)} = "
                     f"{c.params.text(args[gname], col.type, to_text)}")
    pf = c.select_filter(info, alias)
    if pf != "true":
        conds.append(pf)
    obj, joins = c.object_json(info, alias, c.fields(sel, {info.name}))
    return (f"SELECT {obj} FROM {info.table.qualified} {alias} {' '.join(joins)} "
            f"WHERE {' AND '.join(conds)}")


def function_root(c: Compiler, fn: TrackedFunction, sel: Selected, aggregate: bool) -> str:
    """The statement of a tracked function root field (or its ``_aggregate``)."""
    info = c.model.tables[fn.returns]
    alias = c.new_alias()
    call = function_call(c, fn, c.arguments(sel.node).get("args"), sel.path)
    source = f"{call} {alias}"
    if aggregate:
        return f"SELECT ({c.aggregate(info, alias, sel, [], source=source)})::text"
    if not fn.function.returns_set:
        return f"SELECT _s.j FROM ({rows(c, info, alias, sel, [], source=source)}) _s LIMIT 1"
    return rows_array(c, info, alias, sel, [], source=source)


def select_aggregate(c: Compiler, info: TableInfo, sel: Selected) -> str:
    """The statement of a ``<table>_aggregate`` root field."""
    return f"SELECT ({c.aggregate(info, c.new_alias(), sel, [])})::text"
