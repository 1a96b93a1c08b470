"""A remote schema (or a role's part of it) as engine types, with customized names.

The remote's types are rebuilt as new graphql-core types for the role's schema: built-in
scalars are the engine's own, other scalars come from the engine's one-per-name scalars, and
every name goes through the :class:`~engine.remote.customize.Customization`. The view also
keeps the way back (customized → original names) that queries to the remote need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
)

from engine.graphql.scalars import make_scalar
from engine.remote.customize import Customization

Presets = Mapping[tuple[str, str], Mapping[str, Any]]
"""(original type, original field) → {argument: preset value} (a role's ``@preset``)."""


@dataclass
class RemoteView:
    """What one role sees of one remote schema, as types of the role's schema."""

    remote: str
    """The remote schema's name."""
    customization: Customization
    types: dict[str, GraphQLNamedType] = field(default_factory=dict)
    """Customized name → type (the translated types)."""
    original_type: dict[str, str] = field(default_factory=dict)
    """Customized type name → the remote's name."""
    original_field: dict[tuple[str, str], str] = field(default_factory=dict)
    """(customized parent type, customized field) → the remote's field name."""
    roots: dict[str, dict[str, GraphQLField]] = field(default_factory=dict)
    """``query``/``mutation`` → customized root field name → field."""
    root_types: dict[str, str] = field(default_factory=dict)
    """``query``/``mutation`` → the remote's root type name."""
    presets: Presets = field(default_factory=dict)
    preset_types: dict[tuple[str, str, str], GraphQLType] = field(default_factory=dict)
    """(original type, original field, argument) → the argument's (translated) type."""

    def customized_type(self, original: str) -> str:
        """The name the client sees for the remote's type ``original``."""
        return self.customization.type_name(original)

    def namespace_type(self, operation: str) -> GraphQLObjectType:
        """The object type of the namespace field (named as the customized root type)."""
        name = self.customized_type(self.root_types[operation])
        found = self.types.get(name)
        if isinstance(found, GraphQLObjectType):
            return found
        made = GraphQLObjectType(name, self.roots[operation],
                                 description=f"fields of the remote schema {self.remote}")
        self.types[name] = made
        self.original_type[name] = self.root_types[operation]
        return made


def build_view(remote: str, schema: GraphQLSchema, customization: Customization,
               presets: Presets | None = None) -> RemoteView:
    """Translate ``schema`` (the remote's, or a role's SDL) into engine types."""
    view = RemoteView(remote, customization, presets=dict(presets or {}))
    translator = _Translator(view, schema)
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        if root is None:
            continue
        view.root_types[operation] = root.name
        # The root type is a view type too: queries are translated from it like any other.
        translated = translator.named(root)
        assert isinstance(translated, GraphQLObjectType)
        view.roots[operation] = translated.fields
    return view


class _Translator:
    def __init__(self, view: RemoteView, schema: GraphQLSchema) -> None:
        self.view = view
        self.schema = schema

    def named(self, t: GraphQLNamedType) -> GraphQLNamedType:
        c = self.view.customization
        if isinstance(t, GraphQLScalarType):
            return GraphQLID if t.name == "ID" else make_scalar(c.type_name(t.name))
        name = c.type_name(t.name)
        found = self.view.types.get(name)
        if found is not None:
            return found
        made: GraphQLNamedType
        if isinstance(t, GraphQLEnumType):
            made = GraphQLEnumType(name, {k: GraphQLEnumValue(k, description=v.description,
                                                              deprecation_reason=v.deprecation_reason)
                                          for k, v in t.values.items()},
                                   description=t.description)
        elif isinstance(t, GraphQLInputObjectType):
            made = GraphQLInputObjectType(name, self._input_fields(t), description=t.description)
        elif isinstance(t, GraphQLInterfaceType):
            made = GraphQLInterfaceType(name, self._fields(t), description=t.description)
        elif isinstance(t, GraphQLUnionType):
            made = GraphQLUnionType(name, self._members(t), description=t.description)
        else:
            obj = cast(GraphQLObjectType, t)
            made = GraphQLObjectType(name, self._fields(obj), interfaces=self._interfaces(obj),
                                     description=obj.description)
        self.view.types[name] = made
        self.view.original_type[name] = t.name
        return made

    # Thunks: types refer to each other, so fields are translated when first needed.
    def _fields(self, t: GraphQLObjectType | GraphQLInterfaceType
                ) -> Callable[[], dict[str, GraphQLField]]:
        return lambda: self.fields(t)

    def _input_fields(self, t: GraphQLInputObjectType
                      ) -> Callable[[], dict[str, GraphQLInputField]]:
        return lambda: {k: GraphQLInputField(self.wrap(f.type), description=f.description,
                                             default_value=f.default_value, default=f.default)
                        for k, f in t.fields.items()}

    def _members(self, t: GraphQLUnionType) -> Callable[[], list[GraphQLObjectType]]:
        return lambda: [cast(GraphQLObjectType, self.named(m)) for m in t.types]

    def _interfaces(self, t: GraphQLObjectType) -> Callable[[], list[GraphQLInterfaceType]]:
        return lambda: [cast(GraphQLInterfaceType, self.named(i)) for i in t.interfaces]

    def wrap(self, t: GraphQLType) -> Any:
        if isinstance(t, GraphQLNonNull):
            return GraphQLNonNull(self.wrap(t.of_type))
        if isinstance(t, GraphQLList):
            return GraphQLList(self.wrap(t.of_type))
        return self.named(cast(GraphQLNamedType, t))

    def fields(self, parent: GraphQLObjectType | GraphQLInterfaceType) -> dict[str, GraphQLField]:
        c = self.view.customization
        customized_parent = c.type_name(parent.name)
        out: dict[str, GraphQLField] = {}
        for fname, f in parent.fields.items():
            preset = self.view.presets.get((parent.name, fname), {})
            args: dict[str, GraphQLArgument] = {}
            for aname, arg in f.args.items():
                translated = self.wrap(arg.type)
                if aname in preset:
                    self.view.preset_types[(parent.name, fname, aname)] = translated
                    continue
                args[aname] = GraphQLArgument(translated, default_value=arg.default_value,
                                              description=arg.description, default=arg.default)
            new = c.field_name(parent.name, fname)
            out[new] = GraphQLField(self.wrap(f.type), args=args, description=f.description,
                                    deprecation_reason=f.deprecation_reason)
            self.view.original_field[(customized_parent, new)] = fname
        return out
