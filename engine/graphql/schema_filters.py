"""Filter input types: ``<table>_bool_exp`` and ``<scalar>_comparison_exp``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLBoolean,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLString,
)

from engine.graphql.boolexp import CASTS
from engine.graphql.model import TableInfo
from engine.graphql.scalars import GEOMETRIC, JSONB, TEXTUAL, scalar_name
from engine.graphql.schema_wrappers import non_null

if TYPE_CHECKING:
    from engine.graphql.schema import SchemaBuilder

_ORDERED = ("_eq", "_gt", "_gte", "_lt", "_lte", "_neq")
_TEXT = ("_like", "_nlike", "_ilike", "_nilike", "_similar", "_nsimilar", "_regex", "_nregex",
         "_iregex", "_niregex")
_SPATIAL = ("_st_contains", "_st_crosses", "_st_equals", "_st_intersects", "_st_overlaps",
            "_st_touches", "_st_within", "_st_3d_intersects")
"""Geometry operators taking one value (geography only has ``_st_intersects``)."""


def comparison(b: SchemaBuilder, type_: Any) -> GraphQLInputObjectType:
    """``<scalar>_comparison_exp``: the operators a column of ``type_`` supports."""
    name = f"{type_.name}_comparison_exp"

    def make() -> GraphQLInputObjectType:
        fields: dict[str, GraphQLInputField] = {}
        for op in _ORDERED:
            fields[op] = GraphQLInputField(type_)
        fields["_in"] = GraphQLInputField(GraphQLList(non_null(type_)))
        fields["_nin"] = GraphQLInputField(GraphQLList(non_null(type_)))
        fields["_is_null"] = GraphQLInputField(GraphQLBoolean)
        if type_.name in TEXTUAL or type_.name == "String":
            for op in _TEXT:
                fields[op] = GraphQLInputField(type_)
        if type_.name in GEOMETRIC:
            _spatial(b, type_, fields)
        if type_.name == "raster":
            _raster(b, type_, fields)
        if type_.name in CASTS:
            cast_name = f"{type_.name}_cast_exp"
            fields["_cast"] = GraphQLInputField(b.cached(cast_name, lambda: GraphQLInputObjectType(
                cast_name, lambda: {target: GraphQLInputField(comparison(b, b.scalar(target)))
                                    for target in sorted(CASTS[type_.name])})))
        if type_.name == "ltree":
            lists = {"_ancestor_any": type_, "_descendant_any": type_,
                     "_matches_any": GraphQLString}
            for op, item in lists.items():
                fields[op] = GraphQLInputField(GraphQLList(non_null(item)))
            fields["_ancestor"] = GraphQLInputField(type_)
            fields["_descendant"] = GraphQLInputField(type_)
            fields["_matches"] = GraphQLInputField(b.scalar("lquery"))
            fields["_matches_fulltext"] = GraphQLInputField(b.scalar("ltxtquery"))
        if type_.name == JSONB:
            fields["_contains"] = GraphQLInputField(type_)
            fields["_contained_in"] = GraphQLInputField(type_)
            fields["_has_key"] = GraphQLInputField(GraphQLString)
            fields["_has_keys_any"] = GraphQLInputField(GraphQLList(non_null(GraphQLString)))
            fields["_has_keys_all"] = GraphQLInputField(GraphQLList(non_null(GraphQLString)))
        return GraphQLInputObjectType(name, dict(sorted(fields.items())))

    return b.cached(name, make)  # type: ignore[no-any-return]


def _spatial(b: SchemaBuilder, type_: Any, fields: dict[str, GraphQLInputField]) -> None:
    """PostGIS operators of a geometry or geography column, as Hasura offers them."""
    float_ = non_null(b.scalar("Float"))
    if type_.name == "geography":
        fields["_st_intersects"] = GraphQLInputField(type_)
        fields["_st_d_within"] = GraphQLInputField(b.cached(
            "st_d_within_geography_input", lambda: GraphQLInputObjectType(
                "st_d_within_geography_input", {
                    "distance": GraphQLInputField(float_),
                    "from": GraphQLInputField(non_null(type_)),
                    "use_spheroid": GraphQLInputField(GraphQLBoolean, default_value=True)})))
        return
    for op in _SPATIAL:
        fields[op] = GraphQLInputField(type_)
    within = b.cached("st_d_within_input", lambda: GraphQLInputObjectType(
        "st_d_within_input", {"distance": GraphQLInputField(float_),
                              "from": GraphQLInputField(non_null(type_))}))
    fields["_st_d_within"] = GraphQLInputField(within)
    fields["_st_3d_d_within"] = GraphQLInputField(within)


def _raster(b: SchemaBuilder, type_: Any, fields: dict[str, GraphQLInputField]) -> None:
    """Raster intersection operators (ST_Intersects with a raster or a geometry and a band)."""
    geometry = non_null(b.scalar("geometry"))
    fields["_st_intersects_rast"] = GraphQLInputField(type_)
    fields["_st_intersects_nband_geom"] = GraphQLInputField(b.cached(
        "st_intersects_nband_geom_input", lambda: GraphQLInputObjectType(
            "st_intersects_nband_geom_input", {
                "geommin": GraphQLInputField(geometry),
                "nband": GraphQLInputField(non_null(b.scalar("Int")))})))
    fields["_st_intersects_geom_nband"] = GraphQLInputField(b.cached(
        "st_intersects_geom_nband_input", lambda: GraphQLInputObjectType(
            "st_intersects_geom_nband_input", {
                "geommin": GraphQLInputField(geometry),
                "nband": GraphQLInputField(b.scalar("Int"))})))


def bool_exp(b: SchemaBuilder, info: TableInfo) -> GraphQLInputObjectType:
    """``<table>_bool_exp``: columns, relationships and computed fields the role may filter on."""
    name = f"{info.name}_bool_exp"

    def fields() -> dict[str, GraphQLInputField]:
        me: Any = b.types[name]
        out: dict[str, GraphQLInputField] = {
            "_and": GraphQLInputField(GraphQLList(non_null(me))),
            "_not": GraphQLInputField(me),
            "_or": GraphQLInputField(GraphQLList(non_null(me))),
        }
        for col in b.select_columns(info):
            out[info.columns[col]] = GraphQLInputField(comparison(b, b.column_type(info, col)))
        for rel in b.visible_relationships(info):
            out[rel.name] = GraphQLInputField(bool_exp(b, b.model.tables[rel.remote]))
        for cf in b.visible_computed(info):
            if not cf.filterable:
                continue
            if cf.returns is None:
                out[cf.name] = GraphQLInputField(
                    comparison(b, b.scalar(scalar_name(cf.scalar))))
            else:
                out[cf.name] = GraphQLInputField(bool_exp(b, b.model.tables[cf.returns]))
        return dict(sorted(out.items()))

    return b.cached(name, lambda: GraphQLInputObjectType(  # type: ignore[no-any-return]
        name, fields, description=f'Boolean expression to filter rows from the table '
        f'"{info.table.name}". All fields are combined with a logical \'AND\'.'))
