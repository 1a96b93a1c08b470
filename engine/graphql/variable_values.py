"""A request's variable values coerced, with what the operation alone decides worked out once.

graphql-core's ``get_variable_values`` works each variable's type out of the document
(``type_from_ast``), and checks how deeply the value nests, on every request: for a query
with one ``Int`` variable that is most of preparing a cached operation. When every variable
of an operation is of a leaf type (a scalar or an enum, nullable or not), each one's name,
type and coerced default are kept with the document (:func:`leaf_variables`), and a
request's values are coerced by their type directly (:func:`coerce_leaves`), as
graphql-core coerces a leaf value (its ``coerce_input_value``).

Anything else takes graphql-core's own function: an operation with a list or input object
variable, and any request whose values do not coerce (a missing non-null value, ``null``
for a non-null variable, a value the type refuses), so that graphql-core words the error.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

from graphql import (
    GraphQLError,
    GraphQLLeafType,
    GraphQLSchema,
    NonNullTypeNode,
    OperationDefinitionNode,
    Undefined,
    VariableDefinitionNode,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import get_variable_values

from engine.graphql.errors import validation


class LeafVariable(NamedTuple):
    """A variable of a leaf type, as its definition decides it."""

    name: str
    type: GraphQLLeafType
    non_null: bool
    default: Any
    """The coerced default value (``Undefined`` when the definition has none)."""


def leaf_variables(schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode],
                   ) -> tuple[LeafVariable, ...] | None:
    """Each variable of ``definitions`` (valid for ``schema``), or None unless all are leaves."""
    found: list[LeafVariable] = []
    for definition in definitions:
        signature = get_variable_signature(schema, definition)
        if isinstance(signature, GraphQLError):
            return None
        var_type: Any = signature.type
        non_null = is_non_null_type(var_type)
        base = var_type.of_type if non_null else var_type
        if not is_leaf_type(base):
            return None
        default: Any = Undefined
        if definition.default_value is not None:
            coerced = get_variable_values(schema, [definition], {})
            if isinstance(coerced, list):
                return None
            default = coerced.coerced.get(signature.name, Undefined)
        found.append(LeafVariable(signature.name, base, non_null, default))
    return tuple(found)


def operation_leaves(op: OperationDefinitionNode, schema: GraphQLSchema,
                     ) -> tuple[LeafVariable, ...] | None:
    """:func:`leaf_variables` of ``op``'s definitions (a document fact, worked out once)."""
    return leaf_variables(schema, op.variable_definitions or ())


def coerce_leaves(variables: tuple[LeafVariable, ...], raw: Mapping[str, Any],
                  ) -> dict[str, Any] | None:
    """``raw``'s values coerced as graphql-core coerces them, or None to let it word an error."""
    coerced: dict[str, Any] = {}
    for variable in variables:
        value = raw.get(variable.name, Undefined)
        if value is Undefined:
            if variable.default is not Undefined:
                coerced[variable.name] = variable.default
            elif variable.non_null:
                return None
            continue  # a nullable variable not sent is left out
        if value is None:
            if variable.non_null:
                return None
            coerced[variable.name] = None
            continue
        try:
            value = variable.type.coerce_input_value(value)
        except Exception:  # the type refuses it: graphql-core says how
            return None
        if value is Undefined:
            return None
        coerced[variable.name] = value
    return coerced


def coerce_variables(schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode],
                     raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` coerced for ``definitions`` by graphql-core (any type; its words for errors).

    Raises:
        GraphQLFieldError: a non-null variable has no value, or a value does not coerce.
    """
    for definition in definitions:
        var = definition.variable.name.value
        if isinstance(definition.type, NonNullTypeNode) and var not in raw \
                and definition.default_value is None:
            raise validation(f'expecting a value for non-nullable variable: "{var}"')
    coerced = get_variable_values(schema, definitions, raw)
    if isinstance(coerced, list):
        raise validation(coerced[0].message)
    return dict(coerced.coerced)


__all__ = ["LeafVariable", "coerce_leaves", "coerce_variables", "leaf_variables",
           "operation_leaves"]
