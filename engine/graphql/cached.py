"""Hasura's ``@cached(ttl: Int! = 60, refresh: Boolean! = false)`` directive on queries.

Every role's schema declares it, as Hasura's does: without a response cache configured
(``HASURA_GRAPHQL_REDIS_URL``) a query carrying it is answered as if it were not there,
as Hasura Community Edition does. :mod:`engine.response_cache` serves it when configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveLocation,
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLDirective,
    GraphQLInt,
    GraphQLNonNull,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)

DEFAULT_TTL = 60
"""Seconds a response stays cached when the query does not say (Hasura's default)."""

CACHED_DIRECTIVE = GraphQLDirective(
    name="cached",
    locations=[DirectiveLocation.QUERY],
    args={
        "ttl": GraphQLArgument(GraphQLNonNull(GraphQLInt), default_value=DEFAULT_TTL,
                               description="measured in seconds"),
        "refresh": GraphQLArgument(GraphQLNonNull(GraphQLBoolean), default_value=False,
                                   description="refresh the cache entry"),
    },
    description="whether this query should be cached (Hasura Cloud only)",
)


@dataclass(frozen=True)
class CachedDirective:
    """The ``@cached`` arguments of one operation."""

    ttl: int
    refresh: bool
    span: tuple[int, int] | None
    """Where the directive is in the document's text (left out of the cache key, so that
    ``@cached(refresh: true)`` refreshes the entry ``@cached`` reads)."""


def _literal(node: ValueNode, variables: dict[str, Any]) -> Any:
    """A (validated) argument's value; a variable's from the coerced variables."""
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    return value_from_ast_untyped(node)


def cached_directive(op: OperationDefinitionNode,
                     variables: dict[str, Any]) -> CachedDirective | None:
    """The operation's ``@cached`` arguments (validated already), or None without one."""
    for node in op.directives or ():
        if node.name.value != CACHED_DIRECTIVE.name:
            continue
        values = {arg.name.value: _literal(arg.value, variables) for arg in node.arguments or ()}
        span = None if node.loc is None else (node.loc.start, node.loc.end)
        return CachedDirective(int(values.get("ttl", DEFAULT_TTL)),
                               bool(values.get("refresh", False)), span)
    return None
