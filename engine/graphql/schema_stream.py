"""Subscription root fields: the query fields, plus ``<table>_stream`` for streaming.

Hasura's ``subscription_root`` holds every table and function query field of the role
(live queries) and, per selectable table, ``<table>_stream(batch_size, cursor, where)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
)

from engine.graphql.model import TableInfo
from engine.graphql.schema_filters import bool_exp
from engine.graphql.schema_wrappers import non_null, non_null_list

if TYPE_CHECKING:
    from engine.graphql.schema import SchemaBuilder


def stream_root_name(info: TableInfo) -> str:
    """``<table>_stream`` (following the table's custom select name)."""
    return f"{info.root['select']}_stream"


def cursor_ordering(b: SchemaBuilder) -> GraphQLEnumType:
    """``cursor_ordering``: ASC or DESC."""
    return b.cached("cursor_ordering", lambda: GraphQLEnumType(  # type: ignore[no-any-return]
        "cursor_ordering", {
            "ASC": GraphQLEnumValue("ASC", description="ascending ordering of the cursor"),
            "DESC": GraphQLEnumValue("DESC", description="descending ordering of the cursor")},
        description="ordering argument of a cursor"))


def cursor_input(b: SchemaBuilder, info: TableInfo) -> GraphQLInputObjectType:
    """``<table>_stream_cursor_input``: the initial value of one column, and the ordering."""
    value_name = f"{info.name}_stream_cursor_value_input"
    value_type = b.cached(value_name, lambda: GraphQLInputObjectType(
        value_name, lambda: {info.columns[c]: GraphQLInputField(b.column_type(info, c))
                             for c in b.select_columns(info)},
        description="Initial value of the column from where the streaming should start"))
    name = f"{info.name}_stream_cursor_input"
    return b.cached(name, lambda: GraphQLInputObjectType(  # type: ignore[no-any-return]
        name, {
            "initial_value": GraphQLInputField(non_null(value_type),
                                               description="Stream column input with initial "
                                                           "value"),
            "ordering": GraphQLInputField(cursor_ordering(b), description="cursor ordering")},
        description=f'Streaming cursor of the table "{info.table.name}"'))


def subscription_fields(b: SchemaBuilder,
                        query: dict[str, GraphQLField]) -> dict[str, GraphQLField]:
    """The role's subscription root: each query field, each table's stream after its others."""
    tables = {f: info for info in b.model.tables.values()
              for f in (info.root["select"], info.root["select_aggregate"],
                        info.root["select_by_pk"])}
    out: dict[str, GraphQLField] = {}
    placed: set[tuple[str, str]] = set()
    names = list(query)
    for i, name in enumerate(names):
        out[name] = query[name]
        info = tables.get(name)
        if info is None or info.key in placed:
            continue
        following = names[i + 1] if i + 1 < len(names) else None
        if following is not None and tables.get(following) is info:
            continue
        placed.add(info.key)
        if not b.select_columns(info):
            continue  # nothing to stream on (a permission with no columns, computed fields only)
        out[stream_root_name(info)] = GraphQLField(
            non_null_list(b.object_type(info)),
            args={
                "batch_size": GraphQLArgument(
                    non_null(GraphQLInt),
                    description="maximum number of rows returned in a single batch"),
                "cursor": GraphQLArgument(
                    non_null(GraphQLList(cursor_input(b, info))),
                    description="cursor to stream the results returned by the query"),
                "where": GraphQLArgument(bool_exp(b, info), description="filter the rows "
                                                                        "returned"),
            },
            description=f'fetch data from the table in a streaming manner: "{info.table.name}"')
    return out
