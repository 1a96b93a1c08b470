"""Row sets: a table's (or function's) filtered, ordered, limited rows as JSON text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.catalog.model import quote
from engine.graphql.arguments import int_arg
from engine.graphql.bare_strings import RowStrings, bare_answer, finish_row, row_strings
from engine.graphql.errors import validation
from engine.graphql.model import TableInfo
from engine.graphql.selection import Selected
from engine.graphql.sqltext import json_array, split_object

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler


def row_clauses(c: Compiler, info: TableInfo, alias: str, sel: Selected, conds: list[str],
                permission_limit: bool = True) -> tuple[str, str, str]:
    """WHERE, ORDER BY + LIMIT/OFFSET, and the DISTINCT ON prefix of a row set.

    ``permission_limit`` False leaves the role's ``limit`` out (aggregates apply it to
    their ``nodes`` only).
    """
    args = c.arguments(sel.node)
    perm = c.select_perm(info)
    path = sel.path
    for key in args:
        if key not in ("where", "order_by", "limit", "offset", "distinct_on", "args"):
            raise validation(f"'{sel.name}' has no argument named '{key}'", f"{path}.args")
    all_conds = list(conds)
    pf = c.select_filter(info, alias)
    if pf != "true":
        all_conds.append(pf)
    if args.get("where") is not None:
        w = c.where(info, alias, args["where"], f"{path}.args.where")
        if w != "true":
            all_conds.append(w)
    where = " WHERE " + " AND ".join(all_conds) if all_conds else ""
    order_items = c.order_by(info, alias, args.get("order_by"), f"{path}.args.order_by")
    distinct = ""
    dcols = c.values.deep(args.get("distinct_on"))
    if dcols:
        dcols = dcols if isinstance(dcols, list) else [dcols]
        exprs = [f"{alias}.{quote(c.enum_column(info, d, f'{path}.args.distinct_on'))}"
                 for d in dcols]
        prefix = [e for e, _ in order_items[:len(exprs)]]
        if order_items and set(prefix) != set(exprs):
            raise validation('"distinct_on" columns must match initial "order_by" columns',
                             f"{path}.args")
        distinct = "DISTINCT ON (" + ", ".join(exprs) + ") "
    tail = ""
    if order_items:
        tail += " ORDER BY " + ", ".join(f"{e} {d}" for e, d in order_items)
    limit = int_arg(c.values, args, "limit", path)
    if perm.limit is not None and permission_limit:
        limit = perm.limit if limit is None else min(limit, perm.limit)
    offset = int_arg(c.values, args, "offset", path)
    if limit is not None:
        tail += f" LIMIT {int(limit)}"
    if offset is not None:
        tail += f" OFFSET {int(offset)}"
    return where, tail, distinct


def row_parts(c: Compiler, info: TableInfo, alias: str, sel: Selected, conds: list[str],
               source: str | None) -> tuple[str, str, str]:
    """A row set's object JSON, its ``FROM ... LIMIT`` and its ``DISTINCT ON`` prefix."""
    fields = c.fields(sel, {info.name})
    where, tail, distinct = c.row_clauses(info, alias, sel, conds)
    obj, joins = c.object_json(info, alias, fields)
    source = source or f"{info.table.qualified} {alias}"
    return obj, f"FROM {source} {' '.join(joins)}{where}{tail}", distinct


def rows(c: Compiler, info: TableInfo, alias: str, sel: Selected, conds: list[str],
         source: str | None = None) -> str:
    """``SELECT <row JSON text> AS j FROM ... WHERE ... ORDER BY ... LIMIT``."""
    frame = RowStrings()
    with row_strings(c, frame):
        obj, rest, distinct = row_parts(c, info, alias, sel, conds, source)
    return f"SELECT {distinct}{finish_row(frame, obj)} AS j {rest}"


def rows_array(c: Compiler, info: TableInfo, alias: str, sel: Selected, conds: list[str],
               source: str | None = None) -> str:
    """``SELECT <JSON array text> FROM (<the rows>) _s``: the rows' objects as one array.

    Each row selects its object without the constant start and end every object shares
    (see :func:`split_object`). The row set of a root field (no row around it) also leaves
    its statement with every string bare in :attr:`Compiler.bare_answer` when its rows
    allow one (see :class:`~engine.graphql.bare_strings.BareAnswer`).
    """
    frame = RowStrings()
    root = not c.row_strings
    with row_strings(c, frame):
        obj, rest, distinct = row_parts(c, info, alias, sel, conds, source)
    if root:
        c.bare_answer = bare_answer(frame, obj, distinct, rest)
    lead, row, trail = split_object(obj)
    return (f"SELECT {json_array('_s.j', lead=lead, trail=trail)} "
            f"FROM (SELECT {distinct}{finish_row(frame, row)} AS j {rest}) _s")
