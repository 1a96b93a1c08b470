"""Relay global ids: a row's ``id`` in SQL, and ``node(id:)`` from one back to its row.

As Hasura builds them: base64 of ``[1, "<schema>", "<table>", <primary key values>...]``;
a malformed or foreign id answers Hasura's errors.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from engine.catalog.model import quote
from engine.graphql.errors import GraphQLFieldError, validation
from engine.graphql.model import TableInfo
from engine.graphql.selection import Selected
from engine.graphql.sqltext import literal

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler

NODE_VERSION = 1


def base64_text(expr: str) -> str:
    """Base64 text of ``expr``'s text (PostgreSQL wraps lines every 76 characters: unwrapped)."""
    return f"translate(encode(convert_to(({expr})::text, 'UTF8'), 'base64'), E'\\n', '')"


def node_id_expr(info: TableInfo, alias: str) -> str:
    """The global id of the row ``alias`` of a table with a primary key."""
    cols = ", ".join(f"{alias}.{quote(c)}" for c in info.table.primary_key)
    return base64_text(f"json_build_array({NODE_VERSION}, {literal(info.table.schema)}, "
                f"{literal(info.table.name)}, {cols})")


def _invalid(message: str, path: str) -> GraphQLFieldError:
    return validation(f"invalid node id: {message}", path)


def decode_node_id(compiler: Compiler, raw: Any, path: str) -> tuple[TableInfo, list[Any]]:
    """The table and primary key values a global id names (Hasura's errors when it is bad)."""
    text = str(compiler.values.concrete(raw))
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        data = text.encode()
    try:
        value = json.loads(data)
    except ValueError:
        shown = data.decode("latin-1")
        raise _invalid(f"Error in $: Failed reading: not a valid json value at '{shown}'",
                       path) from None
    if not isinstance(value, list):
        kind = "Object" if isinstance(value, dict) else type(value).__name__
        raise _invalid(f"Error in $: parsing node id failed, expected Array, but encountered "
                       f"{kind}", path)
    if not value or isinstance(value[0], bool) or not isinstance(value[0], int | float):
        raise _invalid("Error in $: unexpected GUID format, needs to start with a version "
                       "number", path)
    if value[0] != NODE_VERSION:
        raise _invalid(f"Error in $: unsupported GUID version: {float(value[0])}", path)
    if len(value) < 4 or not isinstance(value[1], str) or not isinstance(value[2], str):
        raise _invalid("Error in $: GUID version 1: expecting schema name, table name and at "
                       "least one column value", path)
    info = compiler.model.tables.get((value[1], value[2]))
    if info is None or not compiler.can_select(info.key) or not info.table.primary_key:
        raise _invalid(f'the table "{value[2]}" does not exist or is not a node', path)
    pk = list(info.table.primary_key)
    given = value[3:]
    if len(given) < len(pk):
        raise _invalid(f"primary key columns {pk[len(given):]} are missing", path)
    if len(given) > len(pk):
        raise _invalid(f"unexpected column values {json.dumps(given[len(pk):])}", path)
    for column, v in zip(pk, given, strict=True):
        base = info.table.columns[column].base
        textual = base in ("text", "varchar", "bpchar", "citext", "uuid")
        if textual and not isinstance(v, str):
            kind = "Number" if isinstance(v, int | float) else type(v).__name__
            raise GraphQLFieldError(
                f"value of column '{column}' in node id: parsing Text failed, expected String, "
                f"but encountered {kind}", "parse-failed", path.rsplit(".args", 1)[0])
    return info, given


def column_param(compiler: Compiler, value: Any, cast: str) -> str:
    """A JSON value from an id or a cursor as a parameter of the column's type."""
    text = value if isinstance(value, str) or value is None else json.dumps(value)
    return compiler.params.text(text, cast)


def node_root(compiler: Compiler, sel: Selected) -> str:
    """The statement of ``node(id:)``: the row as its table's object, or null."""
    args = compiler.arguments(sel.node)
    info, values = decode_node_id(compiler, args.get("id"), f"{sel.path}.args.id")
    alias = compiler.new_alias()
    conds = [f"{alias}.{quote(c)} = {column_param(compiler, v, info.table.columns[c].type)}"
             for c, v in zip(info.table.primary_key, values, strict=True)]
    pf = compiler.select_filter(info, alias)
    if pf != "true":
        conds.append(pf)
    fields = compiler.fields(sel, {info.name, "Node"})
    obj, joins = compiler.object_json(info, alias, fields)
    return (f"SELECT {obj} FROM {info.table.qualified} {alias} {' '.join(joins)} "
            f"WHERE {' AND '.join(conds)}")


