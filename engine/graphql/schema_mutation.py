"""Mutation root fields and their input types (insert, update, delete per table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLObjectType,
    GraphQLString,
)

from engine.graphql.model import TableInfo
from engine.graphql.scalars import JSONB, NUMERIC
from engine.graphql.schema_filters import bool_exp
from engine.graphql.schema_wrappers import non_null, non_null_list

if TYPE_CHECKING:
    from engine.graphql.schema import SchemaBuilder


def insert_columns(b: SchemaBuilder, info: TableInfo) -> list[str]:
    """Columns the role may insert (presets excluded), in table order."""
    perm = b.access[info.key].insert
    if perm is None:
        return []
    return [c for c in info.table.columns if c in perm.columns and c not in perm.set]


def update_columns(b: SchemaBuilder, info: TableInfo) -> list[str]:
    """Columns the role may update (presets excluded), in table order."""
    perm = b.access[info.key].update
    if perm is None:
        return []
    return [c for c in info.table.columns if c in perm.columns and c not in perm.set]


def insert_input(b: SchemaBuilder, info: TableInfo) -> GraphQLInputObjectType:
    """``<table>_insert_input`` with nested relationship inserts."""
    name = f"{info.name}_insert_input"

    def fields() -> dict[str, GraphQLInputField]:
        out: dict[str, GraphQLInputField] = {}
        for col in insert_columns(b, info):
            out[info.columns[col]] = GraphQLInputField(b.column_type(info, col))
        for rel in info.relationships.values():
            remote = b.model.tables[rel.remote]
            if b.access[rel.remote].insert is None:
                continue
            kind = "arr" if rel.array else "obj"
            tname = f"{remote.name}_{kind}_rel_insert_input"
            data = non_null_list(insert_input(b, remote)) if rel.array \
                else non_null(insert_input(b, remote))

            def make(t: str = tname, d: Any = data, r: TableInfo = remote) -> Any:
                fs = {"data": GraphQLInputField(d)}
                conflict = on_conflict(b, r)
                if conflict is not None:
                    fs["on_conflict"] = GraphQLInputField(conflict)
                return GraphQLInputObjectType(t, fs)

            out[rel.name] = GraphQLInputField(b.cached(tname, make))
        return dict(sorted(out.items()))

    return b.cached(name, lambda: GraphQLInputObjectType(name, fields))  # type: ignore[no-any-return]


def constraint_enum(b: SchemaBuilder, info: TableInfo) -> GraphQLEnumType | None:
    """``<table>_constraint``: the unique and primary key constraints."""
    if not info.table.unique:
        return None
    name = f"{info.name}_constraint"
    return b.cached(name, lambda: GraphQLEnumType(  # type: ignore[no-any-return]
        name, {c: GraphQLEnumValue(c) for c in info.table.unique}))


def update_column_enum(b: SchemaBuilder, info: TableInfo) -> GraphQLEnumType:
    """``<table>_update_column``."""
    name = f"{info.name}_update_column"
    cols = update_columns(b, info) or ["_PLACEHOLDER"]
    return b.cached(name, lambda: GraphQLEnumType(  # type: ignore[no-any-return]
        name, {info.columns.get(c, c): GraphQLEnumValue(info.columns.get(c, c)) for c in cols}))


def on_conflict(b: SchemaBuilder, info: TableInfo) -> GraphQLInputObjectType | None:
    """``<table>_on_conflict`` (only where the table has a unique constraint and is updatable)."""
    constraint = constraint_enum(b, info)
    if constraint is None or b.access[info.key].update is None:
        return None
    name = f"{info.name}_on_conflict"
    return b.cached(name, lambda: GraphQLInputObjectType(name, {  # type: ignore[no-any-return]
        "constraint": GraphQLInputField(non_null(constraint)),
        "update_columns": GraphQLInputField(non_null_list(update_column_enum(b, info)),
                                            default_value=[]),
        "where": GraphQLInputField(bool_exp(b, info)),
    }))


def mutation_response(b: SchemaBuilder, info: TableInfo) -> GraphQLObjectType:
    """``<table>_mutation_response``."""
    name = f"{info.name}_mutation_response"

    def fields() -> dict[str, GraphQLField]:
        out = {"affected_rows": GraphQLField(non_null(GraphQLInt))}
        # As Hasura: ``returning`` for a role that may select from the table.
        if b.access[info.key].select is not None:
            out["returning"] = GraphQLField(non_null_list(b.object_type(info)))
        return out

    return b.cached(name, lambda: GraphQLObjectType(name, fields))  # type: ignore[no-any-return]


def _column_input(b: SchemaBuilder, info: TableInfo, suffix: str, cols: list[str],
                  typ: Any = None) -> GraphQLInputObjectType:
    name = f"{info.name}_{suffix}"
    return b.cached(name, lambda: GraphQLInputObjectType(name, {  # type: ignore[no-any-return]
        info.columns[c]: GraphQLInputField(typ or b.column_type(info, c)) for c in cols}))


def update_args(b: SchemaBuilder, info: TableInfo) -> dict[str, GraphQLArgument]:
    """_set, _inc and the jsonb operators."""
    cols = update_columns(b, info)
    args: dict[str, GraphQLArgument] = {}
    if not cols:
        return args
    args["_set"] = GraphQLArgument(_column_input(b, info, "set_input", cols))
    numeric = [c for c in cols if info.table.columns[c].base in NUMERIC]
    if numeric:
        args["_inc"] = GraphQLArgument(_column_input(b, info, "inc_input", numeric))
    jsonb = [c for c in cols if info.table.columns[c].base == JSONB]
    if jsonb:
        args["_append"] = GraphQLArgument(_column_input(b, info, "append_input", jsonb))
        args["_prepend"] = GraphQLArgument(_column_input(b, info, "prepend_input", jsonb))
        args["_delete_key"] = GraphQLArgument(
            _column_input(b, info, "delete_key_input", jsonb, GraphQLString))
        args["_delete_elem"] = GraphQLArgument(
            _column_input(b, info, "delete_elem_input", jsonb, GraphQLInt))
        args["_delete_at_path"] = GraphQLArgument(
            _column_input(b, info, "delete_at_path_input", jsonb,
                          GraphQLList(non_null(GraphQLString))))
    return args


def updates_input(b: SchemaBuilder, info: TableInfo) -> GraphQLInputObjectType:
    """``<table>_updates``: one entry of ``update_<table>_many`` (operators and ``where``)."""
    name = f"{info.name}_updates"

    def fields() -> dict[str, GraphQLInputField]:
        out = {op: GraphQLInputField(arg.type) for op, arg in update_args(b, info).items()}
        out["where"] = GraphQLInputField(non_null(bool_exp(b, info)))
        return dict(sorted(out.items()))

    return b.cached(name, lambda: GraphQLInputObjectType(name, fields))  # type: ignore[no-any-return]


def _pk_input(b: SchemaBuilder, info: TableInfo, name: str) -> Any:
    def make() -> GraphQLInputObjectType:
        return GraphQLInputObjectType(name, {
            info.columns[c]: GraphQLInputField(non_null(b.column_type(info, c)))
            for c in info.table.primary_key})
    return make


def mutation_fields(b: SchemaBuilder) -> dict[str, GraphQLField]:
    """Insert, update and delete root fields of every table the role may change."""
    out: dict[str, GraphQLField] = {}
    for info in b.model.tables.values():
        acc = b.access[info.key]
        selectable = acc.select is not None
        pk = info.table.primary_key
        pk_selectable = bool(pk) and selectable and acc.select is not None and all(
            c in acc.select.columns for c in pk)
        if acc.insert is not None:
            args = {"objects": GraphQLArgument(non_null_list(insert_input(b, info)))}
            conflict = on_conflict(b, info)
            if conflict is not None:
                args["on_conflict"] = GraphQLArgument(conflict)
            out[info.root["insert"]] = GraphQLField(mutation_response(b, info), args=args)
            if selectable:
                one = {"object": GraphQLArgument(non_null(insert_input(b, info)))}
                if conflict is not None:
                    one["on_conflict"] = GraphQLArgument(conflict)
                out[info.root["insert_one"]] = GraphQLField(b.object_type(info), args=one)
        if acc.update is not None and update_columns(b, info):
            args = {**update_args(b, info), "where": GraphQLArgument(non_null(bool_exp(b, info)))}
            out[info.root["update"]] = GraphQLField(mutation_response(b, info), args=args)
            out[info.root["update_many"]] = GraphQLField(
                GraphQLList(mutation_response(b, info)),
                args={"updates": GraphQLArgument(non_null_list(updates_input(b, info)))})
            if pk_selectable:
                pk_input = f"{info.name}_pk_columns_input"
                pk_type = b.cached(pk_input, _pk_input(b, info, pk_input))
                out[info.root["update_by_pk"]] = GraphQLField(b.object_type(info), args={
                    **update_args(b, info), "pk_columns": GraphQLArgument(non_null(pk_type))})
        if acc.delete is not None:
            out[info.root["delete"]] = GraphQLField(mutation_response(b, info), args={
                "where": GraphQLArgument(non_null(bool_exp(b, info)))})
            if pk_selectable:
                out[info.root["delete_by_pk"]] = GraphQLField(
                    b.object_type(info), args=b.pk_args(info))
        for kind, name in info.root.items():
            if name in out and kind in info.root_descriptions:
                out[name].description = info.root_descriptions[kind]
    return out
