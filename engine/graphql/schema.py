"""The GraphQL schema one role sees, as graphql-core types (for validation and introspection).

Execution never goes through graphql-core resolvers: the compiler reads the document itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
)

from engine.graphql.model import Model, TableInfo
from engine.graphql.providers import ProvidedField
from engine.graphql.roles import Access, access
from engine.graphql.scalars import (
    GEOMETRIC,
    JSONB,
    NUMERIC,
    TEXTUAL,
    make_scalar,
    scalar_name,
)

AGG_NUMERIC = ("avg", "stddev", "stddev_pop", "stddev_samp", "sum", "var_pop", "var_samp",
               "variance")
ORDER_BY_VALUES = ("asc", "asc_nulls_first", "asc_nulls_last", "desc", "desc_nulls_first",
                   "desc_nulls_last")


def _nn(t: Any) -> Any:
    return GraphQLNonNull(t)


def _list(t: Any) -> Any:
    return GraphQLNonNull(GraphQLList(GraphQLNonNull(t)))


class SchemaBuilder:
    """Builds the schema of one role from the model."""

    def __init__(self, model: Model, role: str, providers: Sequence[ProvidedField] = (),
                 backend: bool = False) -> None:
        self.model = model
        self.role = role
        self.providers = providers
        self.types: dict[str, GraphQLNamedType] = {}
        self.access: dict[tuple[str, str], Access] = {
            key: access(info, role, backend) for key, info in model.tables.items()}

    # -- helpers -------------------------------------------------------------------------
    def _cached(self, name: str, make: Callable[[], GraphQLNamedType]) -> Any:
        found = self.types.get(name)
        if found is None:
            found = make()
            self.types[name] = found
        return found

    def scalar(self, name: str) -> GraphQLScalarType:
        """The scalar type named ``name``."""
        return self._cached(name, lambda: make_scalar(name))  # type: ignore[no-any-return]

    def column_type(self, info: TableInfo, column: str) -> Any:
        """The GraphQL type of a column (enum-table references become enums)."""
        enum = self.enum_reference(info, column)
        if enum is not None:
            return enum
        return self.scalar(scalar_name(info.table.columns[column]))

    def enum_reference(self, info: TableInfo, column: str) -> GraphQLEnumType | None:
        """The enum type of an enum table ``column`` references through a foreign key."""
        for fk in info.table.foreign_keys:
            if fk.columns == (column,):
                target = self.model.tables.get((fk.ref_schema, fk.ref_table))
                if target is not None and target.is_enum and target.enum_values:
                    return self.enum_of(target)
        return None

    def enum_of(self, info: TableInfo) -> GraphQLEnumType:
        """The GraphQL enum of an enum table."""
        name = f"{info.name}_enum"
        return self._cached(name, lambda: GraphQLEnumType(name, {  # type: ignore[no-any-return]
            value: GraphQLEnumValue(value, description=comment)
            for value, comment in info.enum_values}))

    def selectable(self, key: tuple[str, str]) -> bool:
        """Whether the role may select from the table."""
        return self.access[key].select is not None

    def order_by_enum(self) -> GraphQLEnumType:
        """The ``order_by`` enum."""
        return self._cached("order_by", lambda: GraphQLEnumType(  # type: ignore[no-any-return]
            "order_by", {v: GraphQLEnumValue(v) for v in ORDER_BY_VALUES},
            description="column ordering options"))

    def comparison(self, type_: Any) -> GraphQLInputObjectType:
        """``<scalar>_comparison_exp``."""
        name = f"{type_.name}_comparison_exp"

        def make() -> GraphQLInputObjectType:
            fields: dict[str, GraphQLInputField] = {}
            for op in ("_eq", "_gt", "_gte", "_lt", "_lte", "_neq"):
                fields[op] = GraphQLInputField(type_)
            fields["_in"] = GraphQLInputField(GraphQLList(_nn(type_)))
            fields["_nin"] = GraphQLInputField(GraphQLList(_nn(type_)))
            fields["_is_null"] = GraphQLInputField(GraphQLBoolean)
            if type_.name in TEXTUAL or type_.name == "String":
                for op in ("_like", "_nlike", "_ilike", "_nilike", "_similar", "_nsimilar",
                           "_regex", "_nregex", "_iregex", "_niregex"):
                    fields[op] = GraphQLInputField(type_)
            if type_.name in GEOMETRIC:
                for op in ("_st_contains", "_st_crosses", "_st_equals", "_st_intersects",
                           "_st_overlaps", "_st_touches", "_st_within"):
                    fields[op] = GraphQLInputField(type_)
                within = "st_d_within_input" if type_.name == "geometry" \
                    else "st_d_within_geography_input"
                fields["_st_d_within"] = GraphQLInputField(self._cached(
                    within, lambda: GraphQLInputObjectType(within, {
                        "distance": GraphQLInputField(_nn(self.scalar("Float"))),
                        "from": GraphQLInputField(_nn(type_))})))
            if type_.name == JSONB:
                fields["_contains"] = GraphQLInputField(type_)
                fields["_contained_in"] = GraphQLInputField(type_)
                fields["_has_key"] = GraphQLInputField(GraphQLString)
                fields["_has_keys_any"] = GraphQLInputField(GraphQLList(_nn(GraphQLString)))
                fields["_has_keys_all"] = GraphQLInputField(GraphQLList(_nn(GraphQLString)))
            return GraphQLInputObjectType(name, dict(sorted(fields.items())))

        return self._cached(name, make)  # type: ignore[no-any-return]

    # -- table types ---------------------------------------------------------------------
    def select_columns(self, info: TableInfo) -> list[str]:
        """Columns the role may select, in table order."""
        perm = self.access[info.key].select
        if perm is None:
            return []
        return [c for c in info.table.columns if c in perm.columns]

    def visible_computed(self, info: TableInfo) -> list[Any]:
        """Computed fields the role may select."""
        perm = self.access[info.key].select
        if perm is None:
            return []
        return [cf for cf in info.computed.values()
                if (cf.returns is not None and self.selectable(cf.returns))
                or (cf.returns is None and (self.role == "admin"
                                            or cf.name in perm.computed_fields))]

    def function_args(self, name: str, inputs: list[Any],
                      rest: dict[str, GraphQLArgument]) -> dict[str, GraphQLArgument]:
        """``args: <function>_args!`` (when the function takes input) plus ``rest``."""
        if not inputs:
            return rest
        tname = f"{name}_args"
        args_type = self._cached(tname, lambda: GraphQLInputObjectType(
            tname, {a.name: GraphQLInputField(self.scalar(scalar_name(_arg_column(a))))
                     for a in inputs}))
        return {"args": GraphQLArgument(_nn(args_type)), **rest}

    def visible_relationships(self, info: TableInfo) -> list[Any]:
        """Relationships to tables the role may select from."""
        return [r for r in info.relationships.values() if self.selectable(r.remote)]

    def object_type(self, info: TableInfo) -> GraphQLObjectType:
        """The table's object type."""

        def fields() -> dict[str, GraphQLField]:
            out: dict[str, GraphQLField] = {}
            for col in self.select_columns(info):
                column = info.table.columns[col]
                t = self.column_type(info, col)
                args = {"path": GraphQLArgument(GraphQLString, description="JSON select path")} \
                    if column.base in ("json", "jsonb") else None
                out[info.columns[col]] = GraphQLField(t if column.nullable else _nn(t), args=args)
            for cf in self.visible_computed(info):
                if cf.returns is None:
                    out[cf.name] = GraphQLField(self.scalar(scalar_name(cf.scalar)))
                else:
                    remote = self.model.tables[cf.returns]
                    out[cf.name] = GraphQLField(_list(self.object_type(remote)),
                                                args=self.function_args(
                                                    cf.function.name, cf.input_arguments(),
                                                    self.select_args(remote)))
            for rel in self.visible_relationships(info):
                remote = self.model.tables[rel.remote]
                if rel.array:
                    out[rel.name] = GraphQLField(_list(self.object_type(remote)),
                                                 args=self.select_args(remote))
                    perm = self.access[rel.remote].select
                    if perm is not None and perm.allow_aggregations:
                        out[f"{rel.name}_aggregate"] = GraphQLField(
                            _nn(self.aggregate_type(remote)), args=self.select_args(remote))
                else:
                    out[rel.name] = GraphQLField(self.object_type(remote))
            return out

        return self._cached(info.name, lambda: GraphQLObjectType(  # type: ignore[no-any-return]
            info.name, fields, description=f'columns and relationships of "{info.table.name}"'))

    def select_column_enum(self, info: TableInfo) -> GraphQLEnumType:
        """``<table>_select_column``."""
        name = f"{info.name}_select_column"
        cols = self.select_columns(info) or ["_PLACEHOLDER"]
        return self._cached(name, lambda: GraphQLEnumType(  # type: ignore[no-any-return]
            name, {info.columns.get(c, c): GraphQLEnumValue(info.columns.get(c, c))
                   for c in cols}))

    def select_args(self, info: TableInfo) -> dict[str, GraphQLArgument]:
        """distinct_on, limit, offset, order_by, where."""
        return {
            "distinct_on": GraphQLArgument(GraphQLList(_nn(self.select_column_enum(info)))),
            "limit": GraphQLArgument(GraphQLInt),
            "offset": GraphQLArgument(GraphQLInt),
            "order_by": GraphQLArgument(GraphQLList(_nn(self.order_by_type(info)))),
            "where": GraphQLArgument(self.bool_exp(info)),
        }

    def bool_exp(self, info: TableInfo) -> GraphQLInputObjectType:
        """``<table>_bool_exp``."""
        name = f"{info.name}_bool_exp"

        def fields() -> dict[str, GraphQLInputField]:
            me: Any = self.types[name]
            out: dict[str, GraphQLInputField] = {
                "_and": GraphQLInputField(GraphQLList(_nn(me))),
                "_not": GraphQLInputField(me),
                "_or": GraphQLInputField(GraphQLList(_nn(me))),
            }
            for col in self.select_columns(info):
                out[info.columns[col]] = GraphQLInputField(
                    self.comparison(self.column_type(info, col)))
            for rel in self.visible_relationships(info):
                out[rel.name] = GraphQLInputField(self.bool_exp(self.model.tables[rel.remote]))
            for cf in self.visible_computed(info):
                if cf.returns is None:
                    out[cf.name] = GraphQLInputField(
                        self.comparison(self.scalar(scalar_name(cf.scalar))))
                else:
                    out[cf.name] = GraphQLInputField(self.bool_exp(self.model.tables[cf.returns]))
            return dict(sorted(out.items()))

        return self._cached(name, lambda: GraphQLInputObjectType(  # type: ignore[no-any-return]
            name, fields, description=f'Boolean expression to filter rows from the table '
            f'"{info.table.name}". All fields are combined with a logical \'AND\'.'))

    def order_by_type(self, info: TableInfo) -> GraphQLInputObjectType:
        """``<table>_order_by``."""
        name = f"{info.name}_order_by"

        def fields() -> dict[str, GraphQLInputField]:
            out: dict[str, GraphQLInputField] = {}
            for col in self.select_columns(info):
                out[info.columns[col]] = GraphQLInputField(self.order_by_enum())
            for rel in self.visible_relationships(info):
                remote = self.model.tables[rel.remote]
                if rel.array:
                    out[f"{rel.name}_aggregate"] = GraphQLInputField(
                        self.aggregate_order_by(remote))
                else:
                    out[rel.name] = GraphQLInputField(self.order_by_type(remote))
            for cf in self.visible_computed(info):
                if cf.returns is None:
                    out[cf.name] = GraphQLInputField(self.order_by_enum())
                else:
                    out[f"{cf.name}_aggregate"] = GraphQLInputField(
                        self.aggregate_order_by(self.model.tables[cf.returns]))
            return dict(sorted(out.items()))

        return self._cached(name, lambda: GraphQLInputObjectType(  # type: ignore[no-any-return]
            name, fields))

    def aggregate_order_by(self, info: TableInfo) -> GraphQLInputObjectType:
        """``<table>_aggregate_order_by``."""
        name = f"{info.name}_aggregate_order_by"

        def fields() -> dict[str, GraphQLInputField]:
            out: dict[str, GraphQLInputField] = {"count": GraphQLInputField(self.order_by_enum())}
            cols = self.select_columns(info)
            numeric = [c for c in cols if info.table.columns[c].base in NUMERIC]
            for fn in ("avg", "max", "min", "stddev", "stddev_pop", "stddev_samp", "sum",
                       "var_pop", "var_samp", "variance"):
                use = cols if fn in ("max", "min") else numeric
                if not use:
                    continue
                tname = f"{info.name}_{fn}_order_by"
                make = self._order_fields(info, tname, use)
                out[fn] = GraphQLInputField(self._cached(tname, make))
            return out

        return self._cached(name, lambda: GraphQLInputObjectType(  # type: ignore[no-any-return]
            name, fields))

    def _order_fields(self, info: TableInfo, name: str,
                      cols: list[str]) -> Callable[[], GraphQLNamedType]:
        def make() -> GraphQLNamedType:
            return GraphQLInputObjectType(name, {
                info.columns[c]: GraphQLInputField(self.order_by_enum()) for c in cols})
        return make

    def aggregate_type(self, info: TableInfo) -> GraphQLObjectType:
        """``<table>_aggregate`` with ``aggregate`` and ``nodes``."""
        name = f"{info.name}_aggregate"

        def fields_of_aggregate() -> dict[str, GraphQLField]:
            cols = self.select_columns(info)
            numeric = [c for c in cols if info.table.columns[c].base in NUMERIC]
            out: dict[str, GraphQLField] = {"count": GraphQLField(_nn(GraphQLInt), args={
                "columns": GraphQLArgument(GraphQLList(_nn(self.select_column_enum(info)))),
                "distinct": GraphQLArgument(GraphQLBoolean)})}
            for fn in ("avg", "max", "min", "stddev", "stddev_pop", "stddev_samp", "sum",
                       "var_pop", "var_samp", "variance"):
                use = cols if fn in ("max", "min") else numeric
                if fn in ("max", "min"):
                    use = [c for c in cols if not info.table.columns[c].is_array
                           and info.table.columns[c].base not in ("json", "bool", "jsonb")]
                if not use:
                    continue
                tname = f"{info.name}_{fn}_fields"

                def typ(c: str, fn: str = fn) -> Any:
                    if fn in ("max", "min", "sum"):
                        return self.column_type(info, c)
                    return self.scalar("Float")

                def make(t: str = tname, u: list[str] = use, ty: Any = typ) -> GraphQLNamedType:
                    return GraphQLObjectType(t, {info.columns[c]: GraphQLField(ty(c)) for c in u})

                out[fn] = GraphQLField(self._cached(tname, make))
            return out

        agg_fields = f"{info.name}_aggregate_fields"
        return self._cached(name, lambda: GraphQLObjectType(  # type: ignore[no-any-return]
            name, lambda: {
                "aggregate": GraphQLField(self._cached(agg_fields, lambda: GraphQLObjectType(
                    agg_fields, fields_of_aggregate))),
                "nodes": GraphQLField(_list(self.object_type(info))),
            }))

    # -- roots ---------------------------------------------------------------------------
    def query_fields(self) -> dict[str, GraphQLField]:
        """Select, by-pk and aggregate fields of every selectable table."""
        out: dict[str, GraphQLField] = {}
        for info in self.model.tables.values():
            perm = self.access[info.key].select
            if perm is None:
                continue
            out[info.root["select"]] = GraphQLField(
                _list(self.object_type(info)), args=self.select_args(info),
                description=f'fetch data from the table: "{info.table.name}"')
            if perm.allow_aggregations:
                out[info.root["select_aggregate"]] = GraphQLField(
                    _nn(self.aggregate_type(info)), args=self.select_args(info))
            pk = info.table.primary_key
            if pk and all(c in perm.columns for c in pk):
                out[info.root["select_by_pk"]] = GraphQLField(
                    self.object_type(info), args=self.pk_args(info))
        for fn in self.model.functions.values():
            remote = self.model.tables[fn.returns]
            perm = self.access[remote.key].select
            if perm is None:
                continue
            args = self.function_args(fn.name, fn.input_arguments(), self.select_args(remote))
            out[fn.name] = GraphQLField(_list(self.object_type(remote)), args=args)
            if perm.allow_aggregations:
                out[f"{fn.name}_aggregate"] = GraphQLField(_nn(self.aggregate_type(remote)),
                                                           args=args)
        return out

    def pk_args(self, info: TableInfo) -> dict[str, GraphQLArgument]:
        """The primary key columns as non-null arguments."""
        return {info.columns[c]: GraphQLArgument(_nn(self.column_type(info, c)))
                for c in info.table.primary_key}

    def build(self) -> GraphQLSchema:
        """The role's schema."""
        from engine.graphql.schema_mutation import mutation_fields

        query = self.query_fields()
        mutation = mutation_fields(self)
        for provided in self.providers:
            (query if provided.operation == "query" else mutation)[provided.name] = provided.field
        if not query:
            query = {"no_queries_available": GraphQLField(_nn(GraphQLString))}
        return GraphQLSchema(
            query=GraphQLObjectType("query_root", query),
            mutation=GraphQLObjectType("mutation_root", mutation) if mutation else None,
        )


def _arg_column(arg: Any) -> Any:
    from engine.catalog import Column

    return Column(arg.name, arg.type, arg.base, True, False)


def output_named(t: GraphQLOutputType) -> GraphQLNamedType:
    """The named type under list/non-null wrappers."""
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t
