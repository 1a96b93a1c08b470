"""The one request a remote join sends: one aliased remote field per distinct row.

As Hasura does it, the fields are ``f0``, ``f1``, ... in one query, each the relationship's
path with that row's join arguments; :func:`innermost` reads each answer back out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_named_type,
    print_ast,
)

from engine.remote.query import RemoteQuery
from engine.remote.relationships import RemoteRelationship
from engine.remote.types import RemoteView


class JoinTemplate:
    """The remote field of one join call: ``alias: a(args) { b(args) { <selection> } }``.

    Everything but the join arguments (path, types, the client's selection translated to the
    remote's names, the role's presets) is worked out once per call; each distinct row adds
    only its arguments' literals.
    """

    def __init__(self, query: RemoteQuery, view: RemoteView, rel: RemoteRelationship,
                 node: FieldNode) -> None:
        custom = view.customization
        self.query = query
        self.rel = rel
        self.steps: list[tuple[str, str]] = []
        """(remote field name, the role's preset arguments as text) from the root down."""
        parent_original = view.root_types["query"]
        fields: Mapping[str, GraphQLField] = view.roots["query"]
        self.arg_types: list[dict[str, Any]] = []
        self.selection = ""
        for depth, (fname, arguments) in enumerate(rel.path):
            definition = fields[custom.field_name(parent_original, fname)]
            presets = query.presets_for(parent_original, fname, skip=arguments)
            self.steps.append((fname, ", ".join(print_ast(a) for a in presets)))
            self.arg_types.append({
                k: definition.args[k].type if k in definition.args
                else view.preset_types.get((parent_original, fname, k)) for k in arguments})
            named = get_named_type(definition.type)
            parent_original = view.original_type.get(named.name, named.name)
            fields = named.fields if isinstance(named, GraphQLObjectType
                                                | GraphQLInterfaceType) else {}
            if depth == len(rel.path) - 1:
                self.selection = "" if node.selection_set is None else " " + print_ast(
                    query.selection_set(node.selection_set, named.name))

    def field(self, alias: str, row: Mapping[str, Any]) -> str:
        """The aliased remote field for one row's join values."""
        text = self.selection
        for depth in range(len(self.steps) - 1, -1, -1):
            fname, presets = self.steps[depth]
            types = self.arg_types[depth]
            args = [f"{k}: {print_ast(self.query.literal(v, types.get(k)))}"
                    for k, v in self.rel.arguments(depth, row).items()]
            if presets:
                args.append(presets)
            call = f"{fname}({', '.join(args)})" if args else fname
            text = f"{call}{text}" if depth == len(self.steps) - 1 else f"{call} {{ {text} }}"
        return f"{alias}: {text}"


def innermost(value: Any, depth: int) -> Any:
    """The innermost field's value of a nested relationship path."""
    for _ in range(depth):
        if not isinstance(value, dict) or len(value) != 1:
            return None
        value = next(iter(value.values()))
    return value
