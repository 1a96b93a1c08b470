"""Ordering input types: the ``order_by`` enum, ``<table>_order_by`` and its aggregate forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from graphql import (
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLNamedType,
)

from engine.graphql.model import TableInfo
from engine.graphql.scalars import NUMERIC

if TYPE_CHECKING:
    from engine.graphql.schema import SchemaBuilder

ORDER_BY_VALUES = ("asc", "asc_nulls_first", "asc_nulls_last", "desc", "desc_nulls_first",
                   "desc_nulls_last")
_AGGREGATES = ("avg", "max", "min", "stddev", "stddev_pop", "stddev_samp", "sum", "var_pop",
               "var_samp", "variance")


def order_by_enum(b: SchemaBuilder) -> GraphQLEnumType:
    """The ``order_by`` enum."""
    return b.cached("order_by", lambda: GraphQLEnumType(  # type: ignore[no-any-return]
        "order_by", {v: GraphQLEnumValue(v) for v in ORDER_BY_VALUES},
        description="column ordering options"))


def order_by_type(b: SchemaBuilder, info: TableInfo) -> GraphQLInputObjectType:
    """``<table>_order_by``: columns, object relationships, aggregates and computed fields."""
    name = f"{info.name}_order_by"

    def fields() -> dict[str, GraphQLInputField]:
        out: dict[str, GraphQLInputField] = {}
        for col in b.select_columns(info):
            out[info.columns[col]] = GraphQLInputField(order_by_enum(b))
        for rel in b.visible_relationships(info):
            remote = b.model.tables[rel.remote]
            if rel.array:
                out[f"{rel.name}_aggregate"] = GraphQLInputField(aggregate_order_by(b, remote))
            else:
                out[rel.name] = GraphQLInputField(order_by_type(b, remote))
        for cf in b.visible_computed(info):
            if not cf.filterable:
                continue
            if cf.returns is None:
                out[cf.name] = GraphQLInputField(order_by_enum(b))
            else:
                out[f"{cf.name}_aggregate"] = GraphQLInputField(
                    aggregate_order_by(b, b.model.tables[cf.returns]))
        return dict(sorted(out.items()))

    return b.cached(name, lambda: GraphQLInputObjectType(  # type: ignore[no-any-return]
        name, fields))


def aggregate_order_by(b: SchemaBuilder, info: TableInfo) -> GraphQLInputObjectType:
    """``<table>_aggregate_order_by``: count, and each aggregate function per column."""
    name = f"{info.name}_aggregate_order_by"

    def fields() -> dict[str, GraphQLInputField]:
        out: dict[str, GraphQLInputField] = {"count": GraphQLInputField(order_by_enum(b))}
        cols = b.select_columns(info)
        numeric = [c for c in cols if info.table.columns[c].base in NUMERIC]
        for fn in _AGGREGATES:
            use = cols if fn in ("max", "min") else numeric
            if not use:
                continue
            tname = f"{info.name}_{fn}_order_by"
            out[fn] = GraphQLInputField(b.cached(tname, _order_fields(b, info, tname, use)))
        return out

    return b.cached(name, lambda: GraphQLInputObjectType(  # type: ignore[no-any-return]
        name, fields))


def _order_fields(b: SchemaBuilder, info: TableInfo, name: str,
                  cols: list[str]) -> Callable[[], GraphQLNamedType]:
    def make() -> GraphQLNamedType:
        return GraphQLInputObjectType(name, {
            info.columns[c]: GraphQLInputField(order_by_enum(b)) for c in cols})
    return make
