"""Inherited roles must not form cycles: found and reported as Hasura reports them.

Hasura orders the roles (each inherited role after its parents) with Haskell's
``Data.Graph.stronglyConnComp`` over every role, and refuses the metadata when a component is
cyclic: ``found cycle(s) in roles: ["a","b","c","a"]``, one list per cycle, in the order that
algorithm yields (vertices numbered by role name; the components found by a depth-first search
of the graph in the reverse post-order of its transpose; each component in pre-order), with
the first role repeated at the end. It is reproduced here so the message names the roles in
the same order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from engine.metadata import model
from engine.metadata.errors import MetadataError

_Tree = tuple[int, list["_Tree"]]


def check(metadata: model.Metadata) -> None:
    """Refuse ``metadata`` whose inherited roles form a cycle (Hasura's ``cyclic-dependency``)."""
    found = cycles(metadata)
    if found:
        shown = ", ".join(json.dumps(cycle, separators=(",", ":")) for cycle in found)
        raise MetadataError(f"found cycle(s) in roles: {shown}", "cyclic-dependency")


def cycles(metadata: model.Metadata) -> list[list[str]]:
    """Each cycle of inherited roles, its first role repeated at the end."""
    inherited = {r["role_name"]: [p for p in r.get("role_set") or [] if isinstance(p, str)]
                 for r in metadata.get("inherited_roles") or []
                 if isinstance(r, dict) and isinstance(r.get("role_name"), str)}
    if not inherited:
        return []
    names = sorted({*_roles(metadata), *inherited, *(p for ps in inherited.values() for p in ps)})
    index = {name: i for i, name in enumerate(names)}
    graph = [[index[p] for p in inherited.get(name, []) if p in index] for name in names]
    transposed: list[list[int]] = [[] for _ in names]
    for v, targets in enumerate(graph):
        for w in targets:
            transposed[w].insert(0, v)  # Data.Graph.buildG prepends: the lists come reversed
    order = [v for tree in _dfs(transposed, range(len(names))) for v in _postorder(tree)]
    out = []
    for root, children in _dfs(graph, reversed(order)):
        if children or root in graph[root]:
            members = [names[v] for v in _preorder((root, children))]
            out.append([*members, members[0]])
    return out


def _roles(metadata: model.Metadata) -> Iterator[str]:
    """Every role a permission of the metadata names."""
    def named(items: Any) -> Iterator[str]:
        for item in items or []:
            if isinstance(item, dict) and isinstance(item.get("role"), str):
                yield item["role"]

    for source in model.sources(metadata):
        for table in model.tables(source):
            for kind in ("select", "insert", "update", "delete"):
                yield from named(table.get(f"{kind}_permissions"))
        for function in source.get("functions") or []:
            yield from named(function.get("permissions"))
    for other in ("remote_schemas", "actions"):
        for item in metadata.get(other) or []:
            yield from named(item.get("permissions"))


def _dfs(graph: list[list[int]], roots: Any) -> list[_Tree]:
    """``Data.Graph.dfs``: the spanning forest from ``roots``, in order, each vertex once."""
    seen: set[int] = set()

    def grow(v: int) -> _Tree:
        seen.add(v)
        children: list[_Tree] = []
        for w in graph[v]:
            if w not in seen:
                children.append(grow(w))
        return v, children

    forest = []
    for root in roots:
        if root not in seen:
            forest.append(grow(root))
    return forest


def _preorder(tree: _Tree) -> Iterator[int]:
    yield tree[0]
    for child in tree[1]:
        yield from _preorder(child)


def _postorder(tree: _Tree) -> Iterator[int]:
    for child in tree[1]:
        yield from _postorder(child)
    yield tree[0]
