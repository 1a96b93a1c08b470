"""graphql-core types for the metadata's ``custom_types`` and the actions' fields.

Objects, input objects, enums and scalars are built once per schema build and shared by
every action of a role. Type text such as ``[Foo!]!`` is parsed with graphql-core.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLType,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    TypeNode,
    parse_type,
)

from engine.actions.definitions import ActionDef
from engine.graphql.scalars import make_scalar


class UnknownTypeError(ValueError):
    """An action or custom type names a type that is not defined."""


class CustomTypes:
    """The custom types of one metadata, as graphql-core types (built lazily by name)."""

    def __init__(self, custom_types: Mapping[str, Any]) -> None:
        self.specs: dict[str, tuple[str, Mapping[str, Any]]] = {}
        for kind in ("scalars", "enums", "input_objects", "objects"):
            for spec in custom_types.get(kind) or ():
                self.specs[spec["name"]] = (kind, spec)
        self.built: dict[str, GraphQLNamedType] = {}

    def kind_of(self, name: str) -> str:
        """``scalars``/``enums``/``input_objects``/``objects``, or ``builtin``."""
        found = self.specs.get(name)
        return found[0] if found else "builtin"

    def spec(self, name: str) -> Mapping[str, Any]:
        """The custom type's metadata entry."""
        return self.specs[name][1]

    def named(self, name: str) -> GraphQLNamedType:
        """The named type ``name`` (a custom type, or a built-in/engine scalar)."""
        found = self.built.get(name)
        if found is not None:
            return found
        kind = self.kind_of(name)
        made: GraphQLNamedType
        if kind == "builtin":
            made = GraphQLID if name == "ID" else make_scalar(name)
        elif kind == "scalars":
            made = make_scalar(name)
        elif kind == "enums":
            spec = self.spec(name)
            made = GraphQLEnumType(name, {
                v["value"]: GraphQLEnumValue(v["value"], description=v.get("description"),
                                             deprecation_reason="deprecated"
                                             if v.get("is_deprecated") else None)
                for v in spec.get("values") or ()
            }, description=spec.get("description"))
        elif kind == "input_objects":
            spec = self.spec(name)
            made = GraphQLInputObjectType(name, lambda spec=spec: {  # type: ignore[misc]
                f["name"]: GraphQLInputField(self.input_type(f["type"]),
                                             description=f.get("description"))
                for f in spec.get("fields") or ()
            }, description=spec.get("description"))
        else:
            spec = self.spec(name)
            made = GraphQLObjectType(name, lambda spec=spec: {  # type: ignore[misc]
                f["name"]: GraphQLField(self.output_type(f["type"]),
                                        description=f.get("description"))
                for f in spec.get("fields") or ()
            }, description=spec.get("description"))
        self.built[name] = made
        return made

    def _wrap(self, node: TypeNode) -> GraphQLType:
        if isinstance(node, NonNullTypeNode):
            inner: Any = self._wrap(node.type)
            return GraphQLNonNull(inner)
        if isinstance(node, ListTypeNode):
            return GraphQLList(self._wrap(node.type))
        assert isinstance(node, NamedTypeNode)
        return self.named(node.name.value)

    def output_type(self, text: str) -> Any:
        """The output type for type text (``AuthTokens!``)."""
        return self._wrap(parse_type(text))

    def input_type(self, text: str) -> Any:
        """The input type for type text (``String!``, ``[SignupInput!]``)."""
        return self._wrap(parse_type(text))

    def field(self, action: ActionDef, output: Any, description: str | None = None
              ) -> GraphQLField:
        """The action's root field with its arguments."""
        return GraphQLField(
            output,
            args={a.name: GraphQLArgument(self.input_type(a.type)) for a in action.arguments},
            description=description if description is not None else action.comment,
        )


def is_builtin_scalar(t: GraphQLNamedType) -> bool:
    """Whether ``t`` is one of GraphQL's own scalars."""
    return isinstance(t, GraphQLScalarType) and t.name in ("Int", "Float", "String", "Boolean",
                                                           "ID")
