"""The handler's answer checked against the action's output type, then shaped to the query.

A handler that answers with a missing non-null field, an unexpected field or a value of
the wrong JSON type fails the action (``unexpected``), as Hasura does, instead of handing
the client something its schema does not promise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
)


class OutputMismatchError(ValueError):
    """The handler's answer does not match the output type."""


def _scalar_ok(name: str, value: Any) -> bool:
    if name == "Int":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "String":
        return isinstance(value, str)
    if name == "Boolean":
        return isinstance(value, bool)
    if name == "ID":
        return isinstance(value, str | int) and not isinstance(value, bool)
    return True  # custom scalars take any JSON value


def check_output(value: Any, type_: Any, where: str = "") -> None:
    """Raise OutputMismatchError when ``value`` does not fit ``type_``."""
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            raise OutputMismatchError(f"expecting not null value for field {where or 'output'!r}")
        check_output(value, type_.of_type, where)
        return
    if value is None:
        return
    if isinstance(type_, GraphQLList):
        if not isinstance(value, list):
            raise OutputMismatchError(f"expecting a list for field {where or 'output'!r}")
        for item in value:
            check_output(item, type_.of_type, where)
        return
    if isinstance(type_, GraphQLObjectType):
        if not isinstance(value, dict):
            raise OutputMismatchError(f"expecting an object for field {where or 'output'!r}")
        fields = type_.fields
        unexpected = sorted(set(value) - set(fields))
        if unexpected:
            raise OutputMismatchError(
                "unexpected fields in webhook response: " + ", ".join(unexpected))
        for name, field in fields.items():
            if name not in value:
                if isinstance(field.type, GraphQLNonNull):
                    raise OutputMismatchError(
                        f'field "{name}" expected in webhook response, but not found')
                continue
            check_output(value[name], field.type, name)
        return
    if isinstance(type_, GraphQLEnumType):
        if value not in type_.values:
            raise OutputMismatchError(f"unexpected value {value!r} for enum {type_.name}")
        return
    if isinstance(type_, GraphQLScalarType) and not _scalar_ok(type_.name, value):
        raise OutputMismatchError(
            f"expecting a value of type {type_.name} for field {where or 'output'!r}")


def _condition(node: Any, directive: str, variables: Mapping[str, Any]) -> bool | None:
    for found in node.directives or ():
        if found.name.value != directive:
            continue
        for argument in found.arguments or ():
            if argument.name.value != "if":
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                return bool(variables.get(value.name.value))
            if isinstance(value, BooleanValueNode):
                return value.value
    return None


def _included(node: Any, variables: Mapping[str, Any]) -> bool:
    """``@skip(if:)`` / ``@include(if:)`` on a selection."""
    if _condition(node, "skip", variables) is True:
        return False
    return _condition(node, "include", variables) is not False


def _fields(selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode],
            variables: Mapping[str, Any]) -> list[FieldNode]:
    found: list[FieldNode] = []
    for selection in selection_set.selections:
        if not _included(selection, variables):
            continue
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments, variables))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                found.extend(_fields(fragment.selection_set, fragments, variables))
    return found


def project(value: Any, type_: Any, selection_set: SelectionSetNode | None,
            fragments: Mapping[str, FragmentDefinitionNode],
            variables: Mapping[str, Any]) -> Any:
    """``value`` with only the selected fields, under their aliases, in query order."""
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if value is None:
        return None
    if isinstance(type_, GraphQLList):
        return [project(v, type_.of_type, selection_set, fragments, variables) for v in value]
    if not isinstance(type_, GraphQLObjectType) or selection_set is None:
        return value
    shaped: dict[str, Any] = {}
    for node in _fields(selection_set, fragments, variables):
        key = node.alias.value if node.alias else node.name.value
        name = node.name.value
        if name == "__typename":
            shaped[key] = type_.name
            continue
        field = type_.fields.get(name)
        if field is None:
            continue
        shaped[key] = project(value.get(name), field.type, node.selection_set, fragments,
                              variables)
    return shaped
