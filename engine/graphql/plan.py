"""Compiled operations: what to run for each root field, cached per role, document and operation."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import orjson
from graphql import DocumentNode, FragmentDefinitionNode, GraphQLError, OperationDefinitionNode

from engine.graphql.errors import GraphQLFieldError
from engine.graphql.params import Source
from engine.graphql.providers import ProvidedField
from engine.graphql.selection import Selected

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A small least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value for ``key`` (marked as recently used), or None."""
        value = self.data.get(key)
        if value is not None:
            self.data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Store ``value``, evicting the least recently used entry past ``size``."""
        self.data[key] = value
        self.data.move_to_end(key)
        while len(self.data) > self.size:
            self.data.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        self.data.clear()


@dataclass
class ParsedDocument:
    """A parsed and validated document (validation errors kept, not raised)."""

    document: DocumentNode | None
    error: GraphQLFieldError | None
    validation_errors: list[GraphQLError]
    operations: dict[str | None, OperationDefinitionNode]
    fragments: dict[str, FragmentDefinitionNode]


@dataclass
class RootPlan:
    """What answers one root field."""

    alias: str
    kind: str
    """``sql``, ``literal`` (the answer itself), ``introspection``, ``provider``, ``nested``
    or ``sequence`` (``steps`` run in order, their answers a JSON list)."""
    sql: str = ""
    sources: list[Source] = field(default_factory=list)
    check_path: str | None = None
    literal: bytes = b""
    provided: ProvidedField | None = None
    selected: Selected | None = None
    nested: Any = None
    steps: list[RootPlan] = field(default_factory=list)


@dataclass
class Plan:
    """A compiled operation."""

    operation: str
    roots: list[RootPlan]
    cacheable: bool = True


@dataclass
class PlanSlot:
    """Plans of one (role, document, operation), keyed by the values of structural variables."""

    structural: frozenset[str] = frozenset()
    plans: dict[tuple[Any, ...], Plan] = field(default_factory=dict)


def variables_key(structural: frozenset[str], variables: Mapping[str, Any]) -> tuple[Any, ...]:
    """The part of a plan's cache key that the variables decide."""
    parts: list[Any] = []
    for name in sorted(structural):
        parts.append((name, orjson.dumps(variables.get(name), option=orjson.OPT_SORT_KEYS)))
    parts.append(tuple(sorted(n for n, v in variables.items() if v is None)))
    return tuple(parts)
