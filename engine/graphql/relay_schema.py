"""The Relay schema (``/v1beta1/relay``): tables with a key as ``Node``s, and connections.

Tables, tracked functions and array relationships are served as ``<name>_connection``
with ``first``, ``last``, ``after`` and ``before``, and ``node(id:)`` finds any node.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLString,
)

from engine.graphql.model import TableInfo
from engine.graphql.schema import SchemaBuilder
from engine.graphql.schema_wrappers import non_null, non_null_list


class RelaySchemaBuilder(SchemaBuilder):
    """The Relay schema of one role: the tables' object types as ``Node``s and connections."""

    def node_interface(self) -> GraphQLInterfaceType:
        """``interface Node { id: ID! }``."""
        return self.cached("Node", lambda: GraphQLInterfaceType(  # type: ignore[no-any-return]
            "Node", {"id": GraphQLField(non_null(GraphQLID))},
            description="An object with globally unique ID"))

    def interfaces(self, info: TableInfo) -> list[GraphQLInterfaceType]:
        """Tables with a primary key are nodes."""
        return [self.node_interface()] if info.table.primary_key else []

    def extra_fields(self, info: TableInfo, out: dict[str, GraphQLField]) -> None:
        """``id: ID!`` (the global id) and ``<relationship>_connection`` fields."""
        if info.table.primary_key:
            out["id"] = GraphQLField(non_null(GraphQLID))
        for rel in self.visible_relationships(info):
            remote = self.model.tables[rel.remote]
            if rel.array and remote.table.primary_key:
                out[f"{rel.name}_connection"] = GraphQLField(
                    non_null(self.connection_type(remote)), args=self.connection_args(remote))

    def page_info(self) -> GraphQLObjectType:
        """``PageInfo``."""
        return self.cached("PageInfo", lambda: GraphQLObjectType(  # type: ignore[no-any-return]
            "PageInfo", {"endCursor": GraphQLField(non_null(GraphQLString)),
                         "hasNextPage": GraphQLField(non_null(GraphQLBoolean)),
                         "hasPreviousPage": GraphQLField(non_null(GraphQLBoolean)),
                         "startCursor": GraphQLField(non_null(GraphQLString))}))

    def connection_type(self, info: TableInfo) -> GraphQLObjectType:
        """``<table>Connection`` with its ``<table>Edge``."""
        edge_name = f"{info.name}Edge"
        edge = self.cached(edge_name, lambda: GraphQLObjectType(edge_name, lambda: {
            "cursor": GraphQLField(non_null(GraphQLString)),
            "node": GraphQLField(non_null(self.object_type(info)))}))
        name = f"{info.name}Connection"
        return self.cached(name, lambda: GraphQLObjectType(  # type: ignore[no-any-return]
            name, {"edges": GraphQLField(non_null_list(edge)),
                   "pageInfo": GraphQLField(non_null(self.page_info()))},
            description=f'A Relay connection object on "{info.table.name}"'))

    def connection_args(self, info: TableInfo) -> dict[str, GraphQLArgument]:
        """``after``, ``before``, ``first``, ``last`` and the select arguments but paging."""
        args = {k: v for k, v in self.select_args(info).items() if k not in ("limit", "offset")}
        return {"after": GraphQLArgument(GraphQLString), "before": GraphQLArgument(GraphQLString),
                "first": GraphQLArgument(GraphQLInt), "last": GraphQLArgument(GraphQLInt),
                **args}

    def query_fields(self) -> dict[str, GraphQLField]:
        """``node`` and one connection per selectable table (and function) with a key."""
        out: dict[str, GraphQLField] = {}
        for info in self.model.tables.values():
            if self.access[info.key].select is None or not info.table.primary_key:
                continue
            out[f"{info.root['select']}_connection"] = GraphQLField(
                non_null(self.connection_type(info)), args=self.connection_args(info),
                description=f'fetch data from the table: "{info.table.name}"')
        for fn in self.model.functions.values():
            remote = self.model.tables[fn.returns]
            if self.access[remote.key].select is None or not remote.table.primary_key:
                continue
            out[f"{fn.name}_connection"] = GraphQLField(
                non_null(self.connection_type(remote)),
                args=self.function_args(fn.name, fn.input_arguments(),
                                        self.connection_args(remote)))
        if out:
            out["node"] = GraphQLField(self.node_interface(),
                                       args={"id": GraphQLArgument(non_null(GraphQLID))})
        return out


def relay_roots(builder: SchemaBuilder) -> dict[str, tuple[str, Any]]:
    """Root field name → (kind, table or function) of the Relay query root."""
    roots: dict[str, tuple[str, Any]] = {}
    for info in builder.model.tables.values():
        roots[f"{info.root['select']}_connection"] = ("connection", info)
    for fn in builder.model.functions.values():
        roots[f"{fn.name}_connection"] = ("function_connection", fn)
    roots["node"] = ("node", None)
    return roots


