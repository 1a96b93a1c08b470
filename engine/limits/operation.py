"""Depth and node limits: measured on the operation's syntax tree, before anything runs.

- **depth**: how deeply selection sets nest. A root field whose selection holds only
  scalars has depth 1; every object or array field below it adds one
  (``crypto_assets { prices { asset { symbol } } }`` has depth 3).
- **nodes**: how many fields with a selection set the operation holds, counting a
  fragment once for every place it is spread.

Fragments are measured once each (memoised), so a document that spreads fragments into
fragments costs time linear in its size however large the counts grow. Introspection
fields (``__schema``, ``__type``) are not counted: they are answered from the schema, never
from the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from engine.graphql.errors import GraphQLFieldError
from engine.limits.config import RoleLimits


@dataclass
class _Measure:
    fragments: Mapping[str, FragmentDefinitionNode]
    memo: dict[str, tuple[int, int]] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def selection_set(self, node: SelectionSetNode | None) -> tuple[int, int]:
        """(depth, nodes) of a selection set."""
        if node is None:
            return 0, 0
        depth = nodes = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                sub_depth, sub_nodes = self.selection_set(selection.selection_set)
                depth = max(depth, 1 + sub_depth)
                nodes += 1 + sub_nodes
            elif isinstance(selection, InlineFragmentNode):
                sub_depth, sub_nodes = self.selection_set(selection.selection_set)
                depth = max(depth, sub_depth)
                nodes += sub_nodes
            elif isinstance(selection, FragmentSpreadNode):
                sub_depth, sub_nodes = self.fragment(selection.name.value)
                depth = max(depth, sub_depth)
                nodes += sub_nodes
        return depth, nodes

    def fragment(self, name: str) -> tuple[int, int]:
        found = self.memo.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return 0, 0  # unknown or cyclic: validation reports it
        self.visiting.add(name)
        found = self.selection_set(definition.selection_set)
        self.visiting.discard(name)
        self.memo[name] = found
        return found


def measure_operation(operation: OperationDefinitionNode,
                      fragments: Mapping[str, FragmentDefinitionNode]) -> tuple[int, int]:
    """The (depth, nodes) of ``operation`` (see the module docstring for what counts)."""
    return _Measure(fragments).selection_set(operation.selection_set)


def check_operation(limits: RoleLimits, operation: OperationDefinitionNode,
                    fragments: Mapping[str, FragmentDefinitionNode]) -> None:
    """Refuse ``operation`` when it is deeper or larger than ``limits`` allow.

    Measures, then :func:`check_size`. The engine keeps each document's measure and calls
    :func:`check_size` itself: a cached document is not walked again per request.

    Raises:
        GraphQLFieldError: ``validation-failed``, naming the limit and the measured value.
    """
    if limits.depth is None and limits.nodes is None:
        return
    check_size(limits, *measure_operation(operation, fragments))


def check_size(limits: RoleLimits, depth: int, nodes: int) -> None:
    """Refuse an operation of ``depth`` and ``nodes`` (measured) past ``limits``.

    Raises:
        GraphQLFieldError: ``validation-failed``, naming the limit and the measured value.
    """
    if limits.depth is not None and depth > limits.depth:
        raise GraphQLFieldError(
            f"the operation's depth ({depth}) exceeds the depth limit ({limits.depth}) "
            f"of role '{limits.role}'", "validation-failed")
    if limits.nodes is not None and nodes > limits.nodes:
        raise GraphQLFieldError(
            f"the operation's node count ({nodes}) exceeds the node limit ({limits.nodes}) "
            f"of role '{limits.role}'", "validation-failed")


def check_batch(limits: RoleLimits, size: int) -> None:
    """Refuse a batched request of ``size`` operations past the role's batch limit.

    Raises:
        GraphQLFieldError: ``validation-failed``.
    """
    if limits.batch is not None and size > limits.batch:
        raise GraphQLFieldError(
            f"the batch of {size} operations exceeds the batch limit ({limits.batch}) "
            f"of role '{limits.role}'", "validation-failed")
