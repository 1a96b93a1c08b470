"""Variables of leaf types coerced directly: the values graphql-core gives, or its turn.

Each case coerces a request's values both ways: :func:`coerce_leaves` with what
:func:`leaf_variables` kept of the operation, and graphql-core's ``get_variable_values``.
Where graphql-core coerces, the values are the same; where it reports an error,
:func:`coerce_leaves` gives None (the engine then asks graphql-core, which words it).
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLScalarType, OperationDefinitionNode, build_schema, parse
from graphql.execution.values import get_variable_values

from engine.graphql.variable_values import coerce_leaves, leaf_variables

SCHEMA = build_schema("""
    enum Color { RED GREEN }
    scalar jsonb
    input Where { id: Int }
    type Query {
      f(i: Int, s: String, b: Boolean, x: Float, d: ID, c: Color, j: jsonb,
        w: Where, l: [Int]): String
    }
""")
_jsonb = SCHEMA.type_map["jsonb"]
assert isinstance(_jsonb, GraphQLScalarType)
_jsonb.parse_value = lambda value: value  # type: ignore[method-assign]  # any JSON, as the engine's

OPERATION = """query Q($i: Int!, $s: String, $b: Boolean = true, $x: Float = 1.5, $d: ID,
  $c: Color = RED, $j: jsonb, $n: Int = null) {
  f(i: $i, s: $s, b: $b, x: $x, d: $d, c: $c, j: $j) }"""


def _operation(text: str) -> OperationDefinitionNode:
    node = parse(text).definitions[0]
    assert isinstance(node, OperationDefinitionNode)
    return node


@pytest.mark.parametrize("raw", [
    {"i": 1},
    {"i": 2, "s": "a", "b": False, "x": 2, "d": 7, "c": "GREEN", "j": {"k": [1]}, "n": 3},
    {"i": 3, "s": None, "b": None, "x": None, "d": "x", "c": None, "j": None, "n": None},
    {"i": -2147483648, "x": 1e300, "d": "1"},
    {},                           # a non-null variable missing
    {"i": None},                  # null for a non-null variable
    {"i": "1"},                   # a string for an Int
    {"i": 1.5},                   # not an integer
    {"i": 2147483648},            # out of Int's range
    {"i": 1, "s": 5},             # not a string
    {"i": 1, "b": "true"},        # not a boolean
    {"i": 1, "c": "BLUE"},        # not a value of the enum
    {"i": 1, "d": True},          # not an ID
], ids=repr)
def test_variable_values_coerce_leaves_as_graphql_core(raw: dict[str, Any]) -> None:
    """Leaf variables coerce as graphql-core coerces them, or leave the error to it.

    GIVEN an operation whose variables are all scalars or enums (defaults, nullable and not)
    WHEN a request's values are coerced directly THEN they equal graphql-core's coerced
    values, or are None exactly where graphql-core reports an error.
    """
    operation = _operation(OPERATION)
    leaves = leaf_variables(SCHEMA, operation.variable_definitions or ())
    assert leaves is not None
    expected = get_variable_values(SCHEMA, operation.variable_definitions or (), raw)
    found = coerce_leaves(leaves, raw)
    if isinstance(expected, list):
        assert found is None
    else:
        assert found == expected.coerced
        assert list(found) == list(expected.coerced)


@pytest.mark.parametrize("text", [
    "query Q($w: Where) { f(w: $w) }",
    "query Q($l: [Int]) { f(l: $l) }",
    "query Q($i: Int, $l: [Int!]!) { f(i: $i, l: $l) }",
])
def test_variable_values_leave_other_types_to_graphql_core(text: str) -> None:
    """An operation with a list or input object variable is left to graphql-core.

    GIVEN an operation with a variable of an input object or list type WHEN its variables
    are looked at THEN there are no leaf variables to coerce directly.
    """
    operation = _operation(text)
    assert leaf_variables(SCHEMA, operation.variable_definitions or ()) is None
