"""List and non-null wrappers as Hasura's schema uses them."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLList, GraphQLNonNull


def non_null(t: Any) -> Any:
    """``T!``."""
    return GraphQLNonNull(t)


def non_null_list(t: Any) -> Any:
    """``[T!]!``, as every list of rows or inputs is."""
    return GraphQLNonNull(GraphQLList(GraphQLNonNull(t)))
