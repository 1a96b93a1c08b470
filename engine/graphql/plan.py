"""Compiled operations: what to run for each root field, cached per role, document and operation.

Preparing an operation (parse, validate, coerce the variables, compile) is kept apart from
running it, so the HTTP endpoint, queries over a websocket and the subscription pollers share
one path: :meth:`engine.graphql.engine.GraphQLEngine.prepare` returns a
:class:`PreparedOperation`, and :meth:`~engine.graphql.engine.GraphQLEngine.run` runs it on a
connection with the session variables of the moment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from graphql import DocumentNode, FragmentDefinitionNode, GraphQLError, OperationDefinitionNode

from engine.graphql.errors import GraphQLFieldError
from engine.session import Session

if TYPE_CHECKING:
    from engine.graphql.planner import RoleState
    from engine.graphql.roots import RootPlan

T = TypeVar("T")
A = TypeVar("A")


@dataclass
class ParsedDocument:
    """A parsed and validated document (validation errors kept, not raised)."""

    document: DocumentNode | None
    error: GraphQLFieldError | None
    validation_errors: list[GraphQLError]
    operations: dict[str | None, OperationDefinitionNode]
    fragments: dict[str, FragmentDefinitionNode]
    facts: dict[tuple[str, str | None], Any] = field(default_factory=dict)
    """What an operation's syntax says, worked out by its first request and kept for the
    next ones (the variables it uses, its depth and node count), by (fact, operation name)."""

    def fact(self, name: str, op: OperationDefinitionNode,
             work: Callable[[OperationDefinitionNode, A], T], arg: A) -> T:
        """The fact ``name`` of ``op`` (one of :attr:`operations`): ``work(op, arg)``, once."""
        key = (name, op.name.value if op.name else None)
        try:
            found: T = self.facts[key]
        except KeyError:
            found = self.facts[key] = work(op, arg)
        return found


@dataclass
class Plan:
    """A compiled operation: one :class:`~engine.graphql.roots.RootPlan` per response key."""

    operation: str
    """``query``, ``mutation`` or ``subscription``."""
    roots: list[RootPlan]
    cacheable: bool = True

    @cached_property
    def needs_database(self) -> bool:
        """Whether any root field asks the database (``__typename`` alone does not)."""
        return any(r.needs_database for r in self.roots)

    @cached_property
    def database_roots(self) -> list[RootPlan]:
        """The root fields that read the database, in order."""
        return [r for r in self.roots if r.needs_database]

    @cached_property
    def database_only(self) -> bool:
        """Every root field reads the database and nothing is left to do after it.

        No root runs once the connection is released, and none has remote joins to
        complete: the values read are the answer.
        """
        return all(r.needs_database and not r.completes for r in self.roots)

    @cached_property
    def plain_query(self) -> bool:
        """A query whose root fields all read the database and leave nothing to do after."""
        return self.operation == "query" and self.database_only

    @cached_property
    def response_keys(self) -> list[bytes]:
        """Each root field's response key as JSON, with its colon (``"alias":``)."""
        return [orjson.dumps(r.alias) + b":" for r in self.roots]


@dataclass
class PlanSlot:
    """Plans of one (role, document, operation), keyed by the values of structural variables."""

    structural: frozenset[str] = frozenset()
    plans: dict[tuple[Any, ...], Plan] = field(default_factory=dict)


@dataclass(slots=True)
class PreparedOperation:
    """An operation ready to run: validated, variables coerced, compiled for its role."""

    plan: Plan
    state: RoleState
    document: ParsedDocument
    operation: OperationDefinitionNode
    variables: dict[str, Any]
    """The coerced variable values."""
    session: Session
    headers: Mapping[str, str]
    """The client's headers (lower-cased names), passed on to providers (actions)."""
    cache_key: tuple[str, str, str | None] = ("", "", None)
    """(role, document text, operation name): what plans of this operation are cached by."""


def variables_key(structural: frozenset[str], variables: Mapping[str, Any]) -> tuple[Any, ...]:
    """The part of a plan's cache key that the variables decide."""
    parts: list[Any] = []
    for name in sorted(structural):
        parts.append((name, orjson.dumps(variables.get(name), option=orjson.OPT_SORT_KEYS)))
    parts.append(tuple(sorted(n for n, v in variables.items() if v is None)))
    return tuple(parts)
