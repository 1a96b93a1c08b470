"""Root fields that are not tables (Hasura actions, ...), contributed to the schema by providers.

A provider hands the engine, per role, the query and mutation fields that role may use. Each
field carries a graphql-core ``GraphQLField`` (its arguments and output type, built by the
provider with its own object/enum/input types) and an async resolver. The engine validates the
request against the role's schema (provider fields included), coerces the field's arguments and
calls the resolver, which returns the field's JSON value as bytes, already projected onto the
field's selection set (the field node, fragments and variables are in the :class:`FieldCall`).
The bytes are spliced into the response as they are.

Type names must be unique within a role's schema and must not clash with table types. A
resolver raises :class:`engine.graphql.errors.GraphQLFieldError` to answer with a GraphQL error
(message + code), as Hasura does for a failing action.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from graphql import FieldNode, FragmentDefinitionNode, GraphQLField

from engine.session import Session

Operation = Literal["query", "mutation"]


@dataclass(frozen=True)
class FieldCall:
    """One call of a provided root field within a request."""

    name: str
    """The field's name in the schema (not its alias)."""
    alias: str
    """The response key."""
    node: FieldNode
    """The field as written in the document (selection set included)."""
    arguments: Mapping[str, Any]
    """The field's arguments, coerced to Python values (variables substituted)."""
    session: Session
    headers: Mapping[str, str]
    """The client's request headers (lower-cased names)."""
    fragments: Mapping[str, FragmentDefinitionNode] = field(default_factory=dict)
    """The document's fragments, to expand spreads in ``node``'s selection set."""
    variables: Mapping[str, Any] = field(default_factory=dict)
    """The request's coerced variable values."""


Resolver = Callable[[FieldCall], Awaitable[bytes]]


@dataclass(frozen=True)
class ProvidedField:
    """A root field contributed by a provider for one role."""

    operation: Operation
    name: str
    field: GraphQLField
    resolve: Resolver


class RootFieldProvider(Protocol):
    """Something that contributes root fields (e.g. the actions of the metadata)."""

    def fields_for_role(self, role: str, metadata: Mapping[str, Any]) -> Sequence[ProvidedField]:
        """The root fields ``role`` may use (``admin`` sees all); empty when none.

        Called once per role when the role's schema is built. ``metadata`` is the v3
        metadata the engine was built from.
        """
        ...


@dataclass(frozen=True)
class JoinCall:
    """One batched call of a :class:`JoinField` for every row of a response that selects it."""

    rows: Sequence[Mapping[str, Any]]
    """For each occurrence, in response order: its join columns (column name → value)."""
    node: FieldNode
    """The field as written (its selection set is what the remote answers)."""
    session: Session
    headers: Mapping[str, str]
    fragments: Mapping[str, FragmentDefinitionNode] = field(default_factory=dict)
    variables: Mapping[str, Any] = field(default_factory=dict)


JoinResolver = Callable[[JoinCall], Awaitable[Sequence[Any]]]
"""Answers a :class:`JoinCall`: one JSON value per row, in the same order."""


@dataclass(frozen=True)
class JoinField:
    """A field of a table's object type answered by another server (a remote relationship).

    The table query selects ``columns`` in the field's place; after it ran, every occurrence
    of the field in the response is answered by ONE call of ``resolve``.
    """

    name: str
    field: GraphQLField
    columns: tuple[str, ...]
    resolve: JoinResolver


@runtime_checkable
class JoinFieldProvider(Protocol):
    """A provider that also adds fields to table object types (remote relationships)."""

    def join_fields_for_role(self, role: str, metadata: Mapping[str, Any]
                             ) -> Mapping[tuple[str, str], Sequence[JoinField]]:
        """(schema, table) → the join fields ``role`` may see on that table's type."""
        ...
