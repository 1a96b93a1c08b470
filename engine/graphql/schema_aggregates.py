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


def function_columns(info: TableInfo, columns: list[str], fn: str) -> list[str]:
    """Those of ``columns`` the aggregate function ``fn`` applies to (offered when any)."""
    if fn in ("max", "min"):
        return [c for c in columns if not info.table.columns[c].is_array
                and info.table.columns[c].base not in ("json", "bool", "jsonb")]
    return [c for c in columns if info.table.columns[c].base in NUMERIC]


def _aggregate_fields(b: SchemaBuilder, info: TableInfo) -> dict[str, GraphQLField]:
    """``count`` and one object per aggregate function over the columns it applies to."""
    cols = b.select_columns(info)
    # As Hasura: ``count`` has no ``columns`` when the role may select none.
    count_args = {"columns": GraphQLArgument(GraphQLList(non_null(b.select_column_enum(info))))
                  } if cols else {}
    out: dict[str, GraphQLField] = {"count": GraphQLField(non_null(GraphQLInt), args={
        **count_args, "distinct": GraphQLArgument(GraphQLBoolean)})}
    for fn in _FUNCTIONS:
        use = function_columns(info, cols, fn)
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
