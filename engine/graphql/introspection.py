"""``__schema`` and ``__type`` root fields, answered by graphql-core against the role's schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    execute,
)

from engine.graphql.errors import GraphQLFieldError

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def run_introspection(schema: GraphQLSchema, op: OperationDefinitionNode,
                      fragments: Mapping[str, FragmentDefinitionNode],
                      variables: dict[str, Any]) -> dict[str, bytes]:
    """The JSON of each introspection root field of ``op`` (other root fields left out)."""
    selections = tuple(s for s in op.selection_set.selections
                       if not isinstance(s, FieldNode) or s.name.value in INTROSPECTION_FIELDS
                       or s.name.value == "__typename")
    new_op = OperationDefinitionNode(
        operation=op.operation, name=op.name, variable_definitions=op.variable_definitions,
        directives=op.directives, selection_set=SelectionSetNode(selections=selections))
    document = DocumentNode(definitions=(new_op, *fragments.values()))
    result = execute(schema, document, variable_values=variables)
    if hasattr(result, "__await__"):
        raise GraphQLFieldError("unexpected asynchronous introspection", "unexpected")
    data = getattr(result, "data", None) or {}
    return {alias: orjson.dumps(value) for alias, value in data.items()}
