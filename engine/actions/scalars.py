"""One scalar type object per name, shared by the tables' schema and the actions' types.

graphql-core refuses a schema holding two different type objects of the same name, and the
core schema builder makes a new ``uuid``/``timestamptz``/... object per build, so an action
type that uses such a scalar (every asynchronous action does) would clash with a table's.
Until :func:`engine.graphql.scalars.make_scalar` caches by name itself, :func:`install`
routes the schema builder's calls through the same per-name cache the actions use.
"""

from __future__ import annotations

from functools import cache

from graphql import GraphQLScalarType

from engine.graphql import scalars as core_scalars
from engine.graphql import schema as core_schema


@cache
def shared_scalar(name: str) -> GraphQLScalarType:
    """The process-wide scalar type named ``name``."""
    return core_scalars.make_scalar(name)


def install() -> None:
    """Make the core schema builder use :func:`shared_scalar` (idempotent)."""
    if getattr(core_schema, "make_scalar", None) is not shared_scalar:
        core_schema.make_scalar = shared_scalar  # type: ignore[attr-defined]
