"""Argument values from the document, with variables kept as references for plan caching.

A plan may be reused with other variable values when those values only ever reach the SQL as
bound parameters. The compiler reads values through :class:`Values`: ``concrete`` for values
that shape the SQL text (marking their variables as structural), ``bind`` for leaves that
become parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)


@dataclass(frozen=True)
class VarRef:
    """A variable used as a value; ``value`` is its coerced value for this request."""

    name: str
    value: Any


class IntLiteral(int):
    """An integer written as a literal (kept apart from a numeric string for error messages)."""


def from_ast(node: ValueNode, variables: Mapping[str, Any]) -> Any:
    """Turn a value node into Python values, with :class:`VarRef` for variables."""
    if isinstance(node, VariableNode):
        name = node.name.value
        return VarRef(name, variables.get(name))
    if isinstance(node, IntValueNode):
        return IntLiteral(int(node.value))
    if isinstance(node, FloatValueNode):
        return float(node.value)
    if isinstance(node, StringValueNode):
        return node.value
    if isinstance(node, BooleanValueNode):
        return node.value
    if isinstance(node, NullValueNode):
        return None
    if isinstance(node, EnumValueNode):
        return node.value
    if isinstance(node, ListValueNode):
        return [from_ast(v, variables) for v in node.values]
    if isinstance(node, ObjectValueNode):
        return {f.name.value: from_ast(f.value, variables) for f in node.fields}
    raise TypeError(f"unexpected value node {node.kind}")


class Values:
    """Tracks which variables decided the shape of the SQL."""

    def __init__(self) -> None:
        self.structural: set[str] = set()

    def concrete(self, value: Any) -> Any:
        """The plain value (variables resolved, and remembered as structural)."""
        if isinstance(value, VarRef):
            self.structural.add(value.name)
            return value.value
        return value

    def deep(self, value: Any) -> Any:
        """The plain value with every nested variable resolved (all structural)."""
        value = self.concrete(value)
        if isinstance(value, dict):
            return {k: self.deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        return value
