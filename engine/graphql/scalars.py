"""PostgreSQL types as Hasura names them in GraphQL, and the operators each supports."""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLInt,
    GraphQLScalarType,
    GraphQLString,
    ValueNode,
    value_from_ast_untyped,
)

from engine.catalog import Column

_BUILTIN = {"int4": "Int", "bool": "Boolean", "float4": "Float", "text": "String",
            "varchar": "String"}
_RENAMED = {"int2": "smallint", "int8": "bigint", "timetz": "timetz"}
STRINGIFIED = frozenset({"int8", "numeric", "float8", "money"})
NUMERIC = frozenset({"int2", "int4", "int8", "float4", "float8", "numeric", "money"})
TEXTUAL = frozenset({"text", "varchar", "bpchar", "citext", "name", "String"})
JSONB = "jsonb"
GEOMETRIC = frozenset({"geometry", "geography"})


def scalar_name(column: Column) -> str:
    """The GraphQL scalar for a column (``Int``, ``String``, ``timestamptz``, ``_text``...)."""
    base = column.base
    return _BUILTIN.get(base) or _RENAMED.get(base) or base


def _parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
    return value_from_ast_untyped(node, variables)


def _identity(value: Any) -> Any:
    return value


@cache
def make_scalar(name: str) -> GraphQLScalarType:
    """A built-in scalar, or a custom one that accepts any JSON value.

    One object per name for the whole process: graphql-core refuses a schema holding two
    different type objects of one name, and the tables' schema and the actions' custom types
    both use scalars such as ``uuid`` and ``timestamptz``.
    """
    builtin = {"Int": GraphQLInt, "Float": GraphQLFloat, "String": GraphQLString,
               "Boolean": GraphQLBoolean}.get(name)
    if builtin is not None:
        return builtin
    return GraphQLScalarType(name, serialize=_identity, parse_value=_identity,
                             parse_literal=_parse_literal)
