"""Selection sets flattened into response keys: fragments expanded, directives applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLSkipDirective,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    Visitor,
    coerce_input_literal,
    visit,
)

from engine.graphql.errors import validation
from engine.graphql.values import Values, from_ast


@dataclass
class Selected:
    """One response key: the field name, its nodes (merged) and its error path."""

    alias: str
    name: str
    nodes: list[FieldNode] = field(default_factory=list)
    path: str = "$"
    stack: tuple[str, ...] = ()
    """The fragments being expanded where the field appears (to detect cycles)."""

    @property
    def node(self) -> FieldNode:
        """The first node (arguments are taken from it)."""
        return self.nodes[0]


_CONDITIONS = {"skip": GraphQLSkipDirective, "include": GraphQLIncludeDirective}
_FOUND = {NullValueNode: "null", IntValueNode: "an integer", FloatValueNode: "a float",
          StringValueNode: "a string", EnumValueNode: "an enum value", ListValueNode: "a list",
          ObjectValueNode: "an object", BooleanValueNode: "a boolean"}


def _condition(directive: DirectiveNode, variables: Mapping[str, Any], values: Values,
               path: str) -> bool:
    """The coerced ``if`` of ``@skip`` / ``@include`` (validation refused anything else)."""
    arg_type = _CONDITIONS[directive.name.value].args["if"].type
    node = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
    if node is None:
        raise validation("missing required field 'if'", path)
    if isinstance(node, VariableNode):
        flag = values.concrete(from_ast(node, variables))
        found = "null" if flag is None else f"a value of type {type(flag).__name__}"
    else:
        flag = coerce_input_literal(node, arg_type)
        found = _FOUND.get(type(node), "a value")
    if not isinstance(flag, bool):
        raise validation(f"expected a boolean for type 'Boolean', but found {found}", path)
    return flag


def _included(node: SelectionNode, variables: Mapping[str, Any], values: Values,
              path: str) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in _CONDITIONS:
            continue
        flag = _condition(directive, variables, values, path)
        if flag is (name == "skip"):
            return False
    return True


def collect(selection_sets: list[SelectionSetNode | None], type_names: set[str], path: str,
            fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any],
            values: Values, stack: tuple[str, ...] = ()) -> list[Selected]:
    """The fields of ``selection_sets`` for an object of one of ``type_names``, in order."""
    out: dict[str, Selected] = {}

    def walk(sset: SelectionSetNode | None, base: str, stack: tuple[str, ...]) -> None:
        if sset is None:
            return
        for sel in sset.selections:
            if isinstance(sel, FieldNode):
                alias = sel.alias.value if sel.alias else sel.name.value
                if not _included(sel, variables, values, f"{base}.{alias}"):
                    continue
                entry = out.get(alias)
                if entry is None:
                    entry = out[alias] = Selected(alias, sel.name.value,
                                                  path=f"{base}.{alias}", stack=stack)
                entry.nodes.append(sel)
            elif not _included(sel, variables, values, base):
                continue
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else None
                if cond is None or cond in type_names:
                    walk(sel.selection_set, base, stack)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                if name in stack:
                    cycle = list(stack[stack.index(name):])
                    raise validation(
                        "the fragment definition(s) " + " and ".join(cycle) + " form a cycle",
                        base)
                frag = fragments.get(name)
                if frag is None:
                    raise validation(f"fragment '{name}' not found", base)
                if frag.type_condition.name.value in type_names:
                    walk(frag.selection_set, f"{base}.{name}.selectionSet", (*stack, name))

    for sset in selection_sets:
        walk(sset, path, stack)
    return list(out.values())


def sub_selection_sets(selected: Selected) -> list[SelectionSetNode | None]:
    """The selection sets of every node of a merged field."""
    return [n.selection_set for n in selected.nodes]


class _VariableCollector(Visitor):
    """Collects the variables a node refers to and the fragments it spreads."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()
        self.spread: list[str] = []

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.used.add(node.name.value)

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.spread.append(node.name.value)


def used_variables(op: OperationDefinitionNode,
                   fragments: Mapping[str, FragmentDefinitionNode]) -> frozenset[str]:
    """The variables the operation refers to (in its directives, fields and fragments)."""
    collector = _VariableCollector()
    for directive in op.directives or ():
        visit(directive, collector)
    visit(op.selection_set, collector)
    seen: set[str] = set()
    while collector.spread:
        name = collector.spread.pop()
        if name in seen or name not in fragments:
            continue
        seen.add(name)
        visit(fragments[name], collector)
    return frozenset(collector.used)
