"""The GraphQL schema one role sees, as graphql-core types (for validation and introspection).

Execution never goes through graphql-core resolvers: the compiler reads the document itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    specified_directives,
    validate_schema,
)

from engine.catalog import Column
from engine.catalog.model import Argument
from engine.graphql.cached import CACHED_DIRECTIVE
from engine.graphql.model import Model, TableInfo, TrackedFunction
from engine.graphql.providers import JoinField, ProvidedField
from engine.graphql.roles import Access, access
from engine.graphql.scalars import make_scalar, scalar_name
from engine.graphql.schema_aggregates import aggregate_type
from engine.graphql.schema_filters import bool_exp
from engine.graphql.schema_mutation import mutation_fields
from engine.graphql.schema_ordering import order_by_type
from engine.graphql.schema_stream import subscription_fields
from engine.graphql.schema_wrappers import non_null, non_null_list
from engine.session import ADMIN_ROLE


class SchemaBuilder:
    """Builds the schema of one role from the model."""

    def __init__(self, model: Model, role: str, providers: Sequence[ProvidedField] = (),
                 backend: bool = False, infer_function_permissions: bool = True) -> None:
        self.model = model
        self.infer_function_permissions = infer_function_permissions
        self.role = role
        self.providers = providers
        self.types: dict[str, GraphQLNamedType] = {}
        self.access: dict[tuple[str, str], Access] = {
            key: access(info, role, backend) for key, info in model.tables.items()}
        self.joins: Mapping[tuple[str, str], Mapping[str, JoinField]] = {}
        """(schema, table) → fields answered by another server (remote relationships)."""

    # -- helpers -------------------------------------------------------------------------
    def cached(self, name: str, make: Callable[[], GraphQLNamedType]) -> Any:
        """The type named ``name``, made once per schema (types refer to each other by object)."""
        found = self.types.get(name)
        if found is None:
            found = make()
            self.types[name] = found
        return found

    def scalar(self, name: str) -> GraphQLScalarType:
        """The scalar type named ``name``."""
        return self.cached(name, lambda: make_scalar(name))  # type: ignore[no-any-return]

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
        return self.cached(name, lambda: GraphQLEnumType(name, {  # type: ignore[no-any-return]
            value: GraphQLEnumValue(value, description=comment)
            for value, comment in info.enum_values}))

    def selectable(self, key: tuple[str, str]) -> bool:
        """Whether the role may select from the table."""
        return self.access[key].select is not None

    # -- what the role sees ---------------------------------------------------------------
    def select_columns(self, info: TableInfo) -> list[str]:
        """Columns the role may select, in table order."""
        perm = self.access[info.key].select
        if perm is None:
            return []
        return [c for c in info.table.columns if c in perm.columns]

    def redacted(self, info: TableInfo) -> Mapping[str, Any]:
        """Columns and computed fields the role sees in some rows only (inherited roles)."""
        perm = self.access[info.key].select
        return {} if perm is None else perm.redact

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
        args_type = self.cached(tname, lambda: GraphQLInputObjectType(
            tname, {a.name: GraphQLInputField(self.scalar(argument_scalar(a))) for a in inputs}))
        return {"args": GraphQLArgument(non_null(args_type)), **rest}

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
                # Hasura makes a column an inherited role may not see in every row nullable.
                nullable = column.nullable or col in self.redacted(info)
                out[info.columns[col]] = GraphQLField(t if nullable else non_null(t),
                                                      args=args,
                                                      description=info.column_descriptions.get(col))
            for cf in self.visible_computed(info):
                if cf.returns is None:
                    out[cf.name] = GraphQLField(self.scalar(scalar_name(cf.scalar)),
                                                args=self.function_args(
                                                    cf.function.name, cf.input_arguments(), {}),
                                                description=cf.comment)
                else:
                    remote = self.model.tables[cf.returns]
                    out[cf.name] = GraphQLField(non_null_list(self.object_type(remote)),
                                                args=self.function_args(
                                                    cf.function.name, cf.input_arguments(),
                                                    self.select_args(remote)),
                                                description=cf.comment)
            for rel in self.visible_relationships(info):
                remote = self.model.tables[rel.remote]
                if rel.array:
                    out[rel.name] = GraphQLField(non_null_list(self.object_type(remote)),
                                                 args=self.select_args(remote))
                    perm = self.access[rel.remote].select
                    if perm is not None and perm.allow_aggregations:
                        out[f"{rel.name}_aggregate"] = GraphQLField(
                            non_null(aggregate_type(self, remote)), args=self.select_args(remote))
                else:
                    out[rel.name] = GraphQLField(self.object_type(remote))
            # As Hasura: a remote relationship whatever the role may select of its join
            # columns (they are read for the join, never answered).
            for join in self.joins.get(info.key, {}).values():
                out[join.name] = join.field
            self.extra_fields(info, out)
            return out

        return self.cached(info.name, lambda: GraphQLObjectType(  # type: ignore[no-any-return]
            info.name, fields, interfaces=self.interfaces(info), description=info.description))

    def interfaces(self, info: TableInfo) -> list[GraphQLInterfaceType]:
        """Interfaces the table's object type implements (none; the Relay schema's differ)."""
        return []

    def extra_fields(self, info: TableInfo, out: dict[str, GraphQLField]) -> None:
        """Add fields to the table's object type (nothing here; the Relay schema adds some)."""

    def select_column_enum(self, info: TableInfo) -> GraphQLEnumType:
        """``<table>_select_column``."""
        name = f"{info.name}_select_column"
        cols = self.select_columns(info) or ["_PLACEHOLDER"]
        return self.cached(name, lambda: GraphQLEnumType(  # type: ignore[no-any-return]
            name, {info.columns.get(c, c): GraphQLEnumValue(info.columns.get(c, c))
                   for c in cols}))

    def select_args(self, info: TableInfo) -> dict[str, GraphQLArgument]:
        """distinct_on (when the role may select a column), limit, offset, order_by, where."""
        distinct = {"distinct_on": GraphQLArgument(GraphQLList(non_null(
            self.select_column_enum(info))))} if self.select_columns(info) else {}
        return {
            **distinct,
            "limit": GraphQLArgument(GraphQLInt),
            "offset": GraphQLArgument(GraphQLInt),
            "order_by": GraphQLArgument(GraphQLList(non_null(order_by_type(self, info)))),
            "where": GraphQLArgument(bool_exp(self, info)),
        }

    # -- roots ---------------------------------------------------------------------------
    def query_fields(self) -> dict[str, GraphQLField]:
        """Select, by-pk and aggregate fields of every selectable table."""
        out: dict[str, GraphQLField] = {}
        for info in self.model.tables.values():
            perm = self.access[info.key].select
            if perm is None:
                continue
            out[info.root["select"]] = GraphQLField(
                non_null_list(self.object_type(info)), args=self.select_args(info),
                description=info.root_descriptions.get("select"))
            if perm.allow_aggregations:
                out[info.root["select_aggregate"]] = GraphQLField(
                    non_null(aggregate_type(self, info)), args=self.select_args(info),
                    description=info.root_descriptions.get("select_aggregate"))
            pk = info.table.primary_key
            if pk and all(c in perm.columns for c in pk):
                out[info.root["select_by_pk"]] = GraphQLField(
                    self.object_type(info), args=self.pk_args(info),
                    description=info.root_descriptions.get("select_by_pk"))
        for fn in self.functions("query"):
            remote = self.model.tables[fn.returns]
            perm = self.access[remote.key].select
            assert perm is not None
            args = self.function_args(fn.name, fn.input_arguments(), self.select_args(remote))
            out[fn.name] = self.function_field(fn, args)
            if perm.allow_aggregations and fn.function.returns_set:
                out[f"{fn.name}_aggregate"] = GraphQLField(non_null(aggregate_type(self, remote)),
                                                           args=args)
        return out

    def functions(self, exposed_as: str) -> list[TrackedFunction]:
        """Tracked functions exposed as ``query`` or ``mutation`` that the role may call.

        The role must be able to select the function's rows and, unless Hasura infers function
        permissions (the default), hold a function permission.
        """
        out = []
        for fn in self.model.functions.values():
            if fn.exposed_as != exposed_as or self.access[fn.returns].select is None:
                continue
            if self.role == ADMIN_ROLE or self.infer_function_permissions \
                    or self.role in fn.permissions:
                out.append(fn)
        return out

    def function_field(self, fn: TrackedFunction, args: dict[str, GraphQLArgument]) -> GraphQLField:
        """A function's root field: a list of rows, or one row for a non-SETOF function."""
        obj = self.object_type(self.model.tables[fn.returns])
        return GraphQLField(non_null_list(obj) if fn.function.returns_set else obj, args=args)

    def pk_args(self, info: TableInfo) -> dict[str, GraphQLArgument]:
        """The primary key columns as non-null arguments."""
        return {info.columns[c]: GraphQLArgument(non_null(self.column_type(info, c)))
                for c in info.table.primary_key}

    def build(self) -> GraphQLSchema:
        """The role's schema."""
        query = self.query_fields()
        subscription = subscription_fields(self, query)
        mutation = mutation_fields(self)
        for fn in self.functions("mutation"):
            remote = self.model.tables[fn.returns]
            mutation[fn.name] = self.function_field(fn, self.function_args(
                fn.name, fn.input_arguments(), self.select_args(remote)))
        for provided in self.providers:
            (query if provided.operation == "query" else mutation)[provided.name] = provided.field
        if not query:
            query = {"no_queries_available": GraphQLField(non_null(GraphQLString))}
        schema = GraphQLSchema(
            query=GraphQLObjectType("query_root", query),
            mutation=GraphQLObjectType("mutation_root", mutation) if mutation else None,
            subscription=GraphQLObjectType("subscription_root", subscription)
            if subscription else None,
            directives=[*specified_directives, CACHED_DIRECTIVE],
        )
        sort_by_name(schema)
        _allow_empty_types(schema)
        return schema


def sort_by_name(schema: GraphQLSchema) -> None:
    """Fields, input fields and enum values in name order, as Hasura's introspection lists them.

    Only the schema's order changes: answers follow the order of the query's selections.
    """
    for named in schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType | GraphQLInputObjectType):
            named.fields = dict(sorted(named.fields.items()))
        elif isinstance(named, GraphQLEnumType):
            named.values = dict(sorted(named.values.items()))


def argument_scalar(arg: Argument) -> str:
    """The GraphQL scalar of a function argument.

    A row-type argument is a scalar named ``<type>_scalar``: Hasura suffixes it so it cannot
    clash with the object type of a tracked table of the same name.
    """
    if arg.composite:
        return f"{arg.base}_scalar"
    return scalar_name(Column(arg.name, arg.type, arg.base, True, False))


_EMPTY_TYPE = re.compile(r"must define one or more (fields|values)\.$")


def _allow_empty_types(schema: GraphQLSchema) -> None:
    """Serve a role's table even when the role may select none of its columns, as Hasura does.

    The table's object type (or its ``order_by`` input) then has no fields, which the GraphQL
    specification forbids; Hasura keeps the root fields (an aggregate ``count`` answers) and
    relies on selection sets never being empty (Note [Selectability of tables] in its source).
    When those are the schema's only faults it is marked valid; any other fault still fails.
    """
    errors = validate_schema(schema)
    if errors and all(_EMPTY_TYPE.search(error.message) for error in errors):
        schema._validation_errors = []  # graphql-core caches its result there
