"""Validation the service can skip safely: the variable rules of a query without variables.

A remote join sends one aliased field per person, every value inlined as a literal (as
Hasura writes it), so the query text differs on each request and no parse or validation
cache helps. graphql-core's three variable rules each walk the whole document again; in a
text without a ``$`` there is no variable to define, use or misplace, so they cannot find
anything and are left out. Every other rule still runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql.validation import (
    NoUndefinedVariablesRule,
    NoUnusedVariablesRule,
    VariablesInAllowedPositionRule,
)
from strawberry.extensions import SchemaExtension

VARIABLE_RULES = (NoUndefinedVariablesRule, NoUnusedVariablesRule,
                  VariablesInAllowedPositionRule)


class SkipVariableRulesWithoutVariables(SchemaExtension):
    """Leaves out the variable rules when the query text has no ``$`` at all."""

    def on_operation(self) -> Iterator[None]:
        """Narrow the rules before validation runs."""
        context = self.execution_context
        if context.query is not None and "$" not in context.query:
            context.validation_rules = tuple(
                r for r in context.validation_rules if r not in VARIABLE_RULES)
        yield
