"""Role-based remote schema permissions: the SDL a role may use, with ``@preset`` arguments.

``add_remote_schema_permissions`` gives a role a subset of the remote schema written as SDL
with the remote's own names. An argument marked ``@preset(value: ...)`` disappears from the
role's schema and is always sent with that value; a string value starting with
``x-hasura-`` is the session variable of that name (``@preset(value: "x-hasura-user-id")``),
unless ``static: true``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldDefinitionNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    build_ast_schema,
    parse,
    value_from_ast_untyped,
)

PRESET_DIRECTIVE = (
    "scalar _PresetValue\n"
    "directive @preset(value: _PresetValue, static: Boolean) "
    "on INPUT_FIELD_DEFINITION | ARGUMENT_DEFINITION\n")

Presets = dict[tuple[str, str], dict[str, Any]]


class RemotePermissionError(ValueError):
    """A role's SDL is not a part of the remote schema (the message says where)."""


def parse_role_schema(sdl: str, remote: GraphQLSchema) -> tuple[GraphQLSchema, Presets]:
    """The role's schema and its presets; checked to be a part of ``remote``.

    Raises:
        RemotePermissionError: the SDL does not parse, or names a type, field or argument
            the remote does not have.
    """
    text = sdl if "directive @preset" in sdl else PRESET_DIRECTIVE + sdl
    try:
        document = parse(text)
        schema = build_ast_schema(document, assume_valid_sdl=False)
    except GraphQLError as exc:
        raise RemotePermissionError(f"the role's schema is not valid SDL: {exc.message}") from None
    _check_subset(schema, remote)
    return schema, _presets(document)


def _check_subset(role: GraphQLSchema, remote: GraphQLSchema) -> None:
    for name, t in role.type_map.items():
        if name.startswith("__") or name == "_PresetValue":
            continue
        theirs: GraphQLNamedType | None = remote.type_map.get(name)
        if theirs is None:
            raise RemotePermissionError(f"type {name!r} does not exist in the remote schema")
        if type(theirs) is not type(t):
            raise RemotePermissionError(f"type {name!r} is of another kind in the remote schema")
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(theirs, GraphQLObjectType | GraphQLInterfaceType)
            for fname, f in t.fields.items():
                other = theirs.fields.get(fname)
                if other is None:
                    raise RemotePermissionError(
                        f"field {name}.{fname} does not exist in the remote schema")
                if str(other.type) != str(f.type):
                    raise RemotePermissionError(
                        f"field {name}.{fname} has type {f.type}, the remote's is {other.type}")
                for aname in f.args:
                    if aname not in other.args:
                        raise RemotePermissionError(
                            f"argument {aname!r} of {name}.{fname} does not exist in the "
                            "remote schema")
        elif isinstance(t, GraphQLInputObjectType):
            assert isinstance(theirs, GraphQLInputObjectType)
            for fname in t.fields:
                if fname not in theirs.fields:
                    raise RemotePermissionError(
                        f"input field {name}.{fname} does not exist in the remote schema")


def _presets(document: DocumentNode) -> Presets:
    out: Presets = {}
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        for f in definition.fields or ():
            found = _field_presets(f)
            if found:
                out.setdefault((definition.name.value, f.name.value), {}).update(found)
    return out


def _field_presets(f: FieldDefinitionNode) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for arg in f.arguments or ():
        for directive in arg.directives or ():
            if directive.name.value != "preset":
                continue
            values = {a.name.value: value_from_ast_untyped(a.value)
                      for a in directive.arguments or ()}
            found[arg.name.value] = Preset(values.get("value"), bool(values.get("static")))
    return found


class Preset:
    """One preset argument value."""

    def __init__(self, value: Any, static: bool = False) -> None:
        self.value = value
        self.static = static

    def resolve(self, session: Mapping[str, str]) -> Any:
        """The value to send: a session variable's value, or the literal value.

        Raises:
            KeyError: the session lacks the variable the preset names.
        """
        if not self.static and isinstance(self.value, str) \
                and self.value.lower().startswith("x-hasura-"):
            return session[self.value.lower()]
        return self.value
