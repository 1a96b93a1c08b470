"""``<table>_stream``: the rows past a cursor, in cursor order, one batch at a time.

The statement returns two columns: the batch as JSON text, and the cursor column's value in
the batch's last row (as text; NULL when the batch is empty), from which the next batch
starts. The cursor is bound through :meth:`~engine.graphql.params.Params.cursor`, so a
subscription poller can give each cohort its own, advanced after every batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.catalog.model import quote
from engine.graphql.arguments import int_arg
from engine.graphql.errors import validation
from engine.graphql.model import TableInfo
from engine.graphql.params import to_text
from engine.graphql.selection import Selected
from engine.graphql.sqltext import json_array, split_object

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler

_ARGUMENTS = ("batch_size", "cursor", "where")


def compile_stream(c: Compiler, info: TableInfo, sel: Selected) -> str:
    """The statement of a ``<table>_stream`` root field."""
    args = c.arguments(sel.node)
    path = sel.path
    for key in args:
        if key not in _ARGUMENTS:
            raise validation(f"'{sel.name}' has no argument named '{key}'", f"{path}.args")
    batch = int_arg(c.values, args, "batch_size", path)
    if batch is None:
        raise validation("missing required field 'batch_size'", f"{path}.args")
    cursors = c.values.concrete(args.get("cursor"))
    if isinstance(cursors, dict):
        cursors = [cursors]
    if not isinstance(cursors, list) or len(cursors) != 1:
        raise validation("one cursor input is expected", f"{path}.args.cursor")
    cursor = c.values.concrete(cursors[0])
    if not isinstance(cursor, dict):
        raise validation("expected an object for type 'cursor'", f"{path}.args.cursor")
    initial = c.values.concrete(cursor.get("initial_value"))
    if not isinstance(initial, dict) or len(initial) != 1:
        raise validation("exactly one column is expected in the cursor's initial_value",
                         f"{path}.args.cursor.initial_value")
    [(field, start)] = initial.items()
    perm = c.select_perm(info)
    column = info.field_to_column().get(field)
    if column is None or column not in perm.columns:
        raise validation(f"field '{field}' not found in type: "
                         f"'{info.name}_stream_cursor_value_input'",
                         f"{path}.args.cursor.initial_value")
    ordering = c.values.concrete(cursor.get("ordering")) or "ASC"
    if ordering not in ("ASC", "DESC"):
        raise validation(f"unexpected value {ordering!r} for enum: 'cursor_ordering'",
                         f"{path}.args.cursor.ordering")
    alias = c.new_alias()
    ref = f"{alias}.{quote(column)}"
    col = info.table.columns[column]
    compare = ">" if ordering == "ASC" else "<"
    conds = [f"{ref} {compare} ({c.params.cursor(start, to_text)}::text)::{col.type}"]
    permission = c.select_filter(info, alias)
    if permission != "true":
        conds.append(permission)
    if args.get("where") is not None:
        where = c.where(info, alias, args["where"], f"{path}.args.where")
        if where != "true":
            conds.append(where)
    if perm.limit is not None:
        batch = min(batch, perm.limit)
    obj, joins = c.object_json(info, alias, c.fields(sel, {info.name}))
    lead, row, trail = split_object(obj)
    inner = (f"SELECT {row} AS j, ({ref})::text AS c FROM {info.table.qualified} {alias} "
             f"{' '.join(joins)} WHERE {' AND '.join(conds)} ORDER BY {ref} {ordering} "
             f"LIMIT {int(batch)}")
    return (f"SELECT {json_array('_s.j', lead=lead, trail=trail)}, "
            f"(array_agg(_s.c))[count(*)::int] FROM ({inner}) _s")
