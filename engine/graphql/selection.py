"""Selection sets flattened into response keys: fragments expanded, directives applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
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


def _included(node: Any, variables: Mapping[str, Any], values: Values) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        flag = False
        for arg in directive.arguments:
            if arg.name.value == "if":
                flag = bool(values.concrete(from_ast(arg.value, variables)))
        if (name == "skip" and flag) or (name == "include" and not flag):
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
            if not _included(sel, variables, values):
                continue
            if isinstance(sel, FieldNode):
                alias = sel.alias.value if sel.alias else sel.name.value
                entry = out.get(alias)
                if entry is None:
                    entry = out[alias] = Selected(alias, sel.name.value,
                                                  path=f"{base}.{alias}", stack=stack)
                entry.nodes.append(sel)
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
