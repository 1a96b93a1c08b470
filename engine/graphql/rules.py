"""The graphql-core validation rules every document goes through before it is compiled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLError,
    NoUnusedFragmentsRule,
    NoUnusedVariablesRule,
    NullValueNode,
    ObjectValueNode,
    ValidationContext,
    ValidationRule,
    ValuesOfCorrectTypeRule,
    get_named_type,
    is_input_object_type,
    is_non_null_type,
    is_required_input_field,
    specified_rules,
)
from graphql.language import SKIP, VisitorAction


def _in_directives_only(check: Callable[..., VisitorAction]) -> Callable[..., VisitorAction]:
    """``check`` inside directive arguments; anywhere else, skip the value."""

    def enter(self: DirectiveValuesOfCorrectTypeRule, node: Any, *args: Any) -> VisitorAction:
        return check(self, node, *args) if self.directive_depth else SKIP

    enter.__doc__ = check.__doc__
    return enter


class DirectiveValuesOfCorrectTypeRule(ValuesOfCorrectTypeRule):
    """Literal values of correct type, checked inside directive arguments only.

    Field arguments are left to the compiler, which parses them as leniently as Hasura does;
    nothing reads a directive's arguments after validation but the selection walk, so they
    are held to the standard rule here.
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.directive_depth = 0

    def enter_directive(self, *_args: Any) -> None:
        """Values below are directive arguments."""
        self.directive_depth += 1

    def leave_directive(self, *_args: Any) -> None:
        """Back outside the directive."""
        self.directive_depth -= 1

    enter_null_value = _in_directives_only(ValuesOfCorrectTypeRule.enter_null_value)
    enter_list_value = _in_directives_only(ValuesOfCorrectTypeRule.enter_list_value)
    enter_object_value = _in_directives_only(ValuesOfCorrectTypeRule.enter_object_value)
    enter_enum_value = _in_directives_only(ValuesOfCorrectTypeRule.enter_enum_value)
    enter_int_value = _in_directives_only(ValuesOfCorrectTypeRule.enter_int_value)
    enter_float_value = _in_directives_only(ValuesOfCorrectTypeRule.enter_float_value)
    enter_string_value = _in_directives_only(ValuesOfCorrectTypeRule.enter_string_value)
    enter_boolean_value = _in_directives_only(ValuesOfCorrectTypeRule.enter_boolean_value)


class RequiredValuesRule(ValidationRule):
    """No null where a value is required, no required input field left out (field arguments).

    The part of "values of correct type" Hasura never relaxes: without it, ``where: null``
    would reach the compiler as "no filter" and a delete would remove every row.
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.directive_depth = 0

    def enter_directive(self, *_args: Any) -> None:
        """Directive arguments are checked in full by the rule above."""
        self.directive_depth += 1

    def leave_directive(self, *_args: Any) -> None:
        """Back outside the directive."""
        self.directive_depth -= 1

    def enter_null_value(self, node: NullValueNode, *_args: Any) -> None:
        """Refuse ``null`` for a non-null type."""
        expected = self.context.get_input_type()
        if not self.directive_depth and is_non_null_type(expected):
            self.report_error(GraphQLError(
                f'unexpected null value for type "{get_named_type(expected).name}"', node))

    def enter_object_value(self, node: ObjectValueNode, *_args: Any) -> None:
        """Refuse an input object missing one of its required fields."""
        expected = get_named_type(self.context.get_input_type())
        if self.directive_depth or not is_input_object_type(expected):
            return
        given = {f.name.value for f in node.fields}
        for name, field in expected.fields.items():
            if name not in given and is_required_input_field(field):
                self.report_error(GraphQLError(f"missing required field '{name}'", node))


# Hasura accepts documents with unused variables and fragments, and parses field argument
# literals itself (leniently: "42" for an Int column); the compiler checks those values.
# Directive arguments keep the standard check; field arguments keep the required values.
RULES = (*(DirectiveValuesOfCorrectTypeRule if r is ValuesOfCorrectTypeRule else r
           for r in specified_rules if r not in (NoUnusedVariablesRule, NoUnusedFragmentsRule)),
         RequiredValuesRule)

__all__ = ["RULES", "DirectiveValuesOfCorrectTypeRule", "RequiredValuesRule"]
