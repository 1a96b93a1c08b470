"""The query sent to a remote schema for a client's selection, and its answer mapped back.

The client writes customized names; the remote gets its own names (fields, fragment type
conditions), every variable replaced by its value as a literal (so no variable types need
renaming), ``@preset`` arguments added from the session, and fragment spreads inlined. Each
field keeps the client's response key (as an alias), so the remote's answer needs only its
``__typename`` values mapped back to customized names.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from graphql import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    ObjectFieldNode,
    ObjectValueNode,
    SelectionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    ast_from_value,
    get_named_type,
    print_ast,
)

from engine.graphql.errors import GraphQLFieldError
from engine.remote.types import RemoteView


@dataclass
class RemoteQuery:
    """Builds the selection text sent to one remote for one request."""

    view: RemoteView
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    session: Mapping[str, str]
    typename_keys: set[str] = field(default_factory=set)
    """Response keys of ``__typename`` fields (their values are mapped back)."""

    # -- selections ----------------------------------------------------------------------
    def field(self, node: FieldNode, parent: str, alias: str | None = None) -> FieldNode:
        """``node`` (a field of the customized type ``parent``) in the remote's names."""
        name = node.name.value
        key = alias or (node.alias.value if node.alias else name)
        if name == "__typename":
            self.typename_keys.add(key)
            return FieldNode(alias=None if key == name else NameNode(value=key), name=node.name,
                             directives=self._directives(node))
        parent_type = self.view.types.get(parent)
        # Reading the fields first: they are translated (and their names recorded) lazily.
        definition = parent_type.fields.get(name) \
            if isinstance(parent_type, GraphQLObjectType | GraphQLInterfaceType) else None
        original = self.view.original_field.get((parent, name), name)
        if definition is None:
            raise GraphQLFieldError(f"field '{name}' not found in type: '{parent}'")
        args = [ArgumentNode(name=a.name, value=self.value(
            a.value, cast(GraphQLInputType, definition.args[a.name.value].type)))
            for a in node.arguments or () if a.name.value in definition.args]
        args.extend(self._presets(parent, original))
        selection = None
        if node.selection_set is not None:
            selection = self.selection_set(node.selection_set,
                                           get_named_type(definition.type).name)
        return FieldNode(alias=None if key == original else NameNode(value=key),
                         name=NameNode(value=original), arguments=tuple(args),
                         directives=self._directives(node), selection_set=selection)

    def selection_set(self, sset: SelectionSetNode, parent: str) -> SelectionSetNode:
        """A selection set under the customized type ``parent``."""
        out: list[SelectionNode] = []
        for sel in sset.selections:
            if isinstance(sel, FieldNode):
                out.append(self.field(sel, parent))
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else parent
                out.append(InlineFragmentNode(
                    type_condition=NamedTypeNode(name=NameNode(
                        value=self.view.original_type.get(cond, cond))),
                    directives=self._directives(sel),
                    selection_set=self.selection_set(sel.selection_set, cond)))
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is None:
                    raise GraphQLFieldError(f"fragment '{sel.name.value}' not found")
                cond = frag.type_condition.name.value
                out.append(InlineFragmentNode(
                    type_condition=NamedTypeNode(name=NameNode(
                        value=self.view.original_type.get(cond, cond))),
                    directives=self._directives(sel),
                    selection_set=self.selection_set(frag.selection_set, cond)))
        return SelectionSetNode(selections=tuple(out))

    def _directives(self, node: Any) -> tuple[DirectiveNode, ...]:
        return tuple(DirectiveNode(name=d.name, arguments=tuple(
            ArgumentNode(name=a.name, value=self.value(a.value, GraphQLBoolean))
            for a in d.arguments or ())) for d in node.directives or ())

    def _presets(self, parent: str, original: str) -> list[ArgumentNode]:
        return self.presets_for(self.view.original_type.get(parent, parent), original)

    def presets_for(self, parent_original: str, original: str,
                    skip: Collection[str] = ()) -> list[ArgumentNode]:
        """The role's ``@preset`` arguments of a field (remote names) with their values.

        ``skip``: arguments set otherwise (a remote relationship's join arguments).
        """
        presets = self.view.presets.get((parent_original, original)) or {}
        out = []
        for arg, preset in presets.items():
            if arg in skip:
                continue
            try:
                value = preset.resolve(self.session)
            except KeyError:
                raise GraphQLFieldError(
                    f'"{str(preset.value).lower()}" session variable expected, but not found',
                    "not-found") from None
            arg_type = self.view.preset_types.get((parent_original, original, arg))
            out.append(ArgumentNode(name=NameNode(value=arg), value=self.literal(value, arg_type)))
        return out

    @staticmethod
    def literal(value: Any, type_: Any) -> ValueNode:
        """``value`` as a GraphQL literal of ``type_`` (a string when the type is unknown)."""
        return _literal(value, type_)

    # -- values --------------------------------------------------------------------------
    def value(self, node: ValueNode, type_: GraphQLInputType) -> ValueNode:
        """``node`` with every variable replaced by its value as a literal of ``type_``."""
        if isinstance(node, VariableNode):
            return _literal(self.variables.get(node.name.value), type_)
        inner: Any = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(node, ListValueNode):
            item = inner.of_type if isinstance(inner, GraphQLList) else inner
            return ListValueNode(values=tuple(self.value(v, item) for v in node.values))
        if isinstance(node, ObjectValueNode) and isinstance(inner, GraphQLInputObjectType):
            return ObjectValueNode(fields=tuple(
                ObjectFieldNode(name=f.name, value=self.value(
                    f.value, inner.fields[f.name.value].type))
                for f in node.fields if f.name.value in inner.fields))
        return node


def _literal(value: Any, type_: Any) -> ValueNode:
    if type_ is None:
        return StringValueNode(value=str(value))
    named = get_named_type(type_)
    if isinstance(value, str) and named.name in ("Int", "Float", "Boolean"):
        value = {"Int": int, "Float": float}.get(named.name, lambda v: v == "true")(value)
    node = ast_from_value(value, type_)
    if node is None:
        raise GraphQLFieldError(f"cannot send the value {value!r} as {type_}", "unexpected")
    return node


def operation_text(operation: str, fields: list[FieldNode]) -> str:
    """``query { ... }`` with ``fields`` (in the remote's names)."""
    if not fields:
        return f"{operation} {{ __typename }}"
    return f"{operation} {print_ast(SelectionSetNode(selections=tuple(fields)))}"


def map_typenames(value: Any, keys: set[str], view: RemoteView) -> Any:
    """The remote's answer with ``__typename`` values in customized names (in place)."""
    custom = view.customization
    if not keys or not (custom.type_prefix or custom.type_suffix or custom.type_mapping):
        return value
    if isinstance(value, list):
        for item in value:
            map_typenames(item, keys, view)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in keys and isinstance(v, str):
                value[k] = view.customized_type(v)
            elif isinstance(v, dict | list):
                map_typenames(v, keys, view)
    return value
