"""Aggregate output types: ``<table>_aggregate``, ``<table>_aggregate_fields`` and per function."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
)

from engine.graphql.model import TableInfo
from engine.graphql.scalars import NUMERIC
from engine.graphql.schema_wrappers import non_null, non_null_list

if TYPE_CHECKING:
    from engine.graphql.schema import SchemaBuilder

_FUNCTIONS = ("avg", "max", "min", "stddev", "stddev_pop", "stddev_samp", "sum", "var_pop",
              "var_samp", "variance")


def aggregate_type(b: SchemaBuilder, info: TableInfo) -> GraphQLObjectType:
    """``<table>_aggregate`` with ``aggregate`` and ``nodes``."""
    name = f"{info.name}_aggregate"
    agg_fields = f"{info.name}_aggregate_fields"
    return b.cached(name, lambda: GraphQLObjectType(  # type: ignore[no-any-return]
        name, lambda: {
            "aggregate": GraphQLField(b.cached(agg_fields, lambda: GraphQLObjectType(
                agg_fields, lambda: _aggregate_fields(b, info)))),
            "nodes": GraphQLField(non_null_list(b.object_type(info))),
        }))


def _aggregate_fields(b: SchemaBuilder, info: TableInfo) -> dict[str, GraphQLField]:
    """``count`` and one object per aggregate function over the columns it applies to."""
    cols = b.select_columns(info)
    numeric = [c for c in cols if info.table.columns[c].base in NUMERIC]
    out: dict[str, GraphQLField] = {"count": GraphQLField(non_null(GraphQLInt), args={
        "columns": GraphQLArgument(GraphQLList(non_null(b.select_column_enum(info)))),
        "distinct": GraphQLArgument(GraphQLBoolean)})}
    for fn in _FUNCTIONS:
        use = numeric
        if fn in ("max", "min"):
            use = [c for c in cols if not info.table.columns[c].is_array
                   and info.table.columns[c].base not in ("json", "bool", "jsonb")]
        if not use:
            continue
        tname = f"{info.name}_{fn}_fields"

        def typ(c: str, fn: str = fn) -> Any:
            if fn in ("max", "min", "sum"):
                return b.column_type(info, c)
            return b.scalar("Float")

        def make(t: str = tname, u: list[str] = use, ty: Any = typ) -> GraphQLNamedType:
            return GraphQLObjectType(t, {info.columns[c]: GraphQLField(ty(c)) for c in u})

        out[fn] = GraphQLField(b.cached(tname, make))
    return out
