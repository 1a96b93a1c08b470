"""Inherited roles: permissions derived from a role set, as Hasura derives them.

- Select: the rows are those any parent may see (``_or`` of the filters); the columns and
  computed fields are the union, but a value is only shown in a row that a parent allowing
  that column may see: elsewhere it is ``null`` (Hasura's ``CASE WHEN`` redaction).
  ``limit`` is the largest limit (none if a parent has none); aggregations are allowed when
  any parent allows them.
- Insert, update, delete: inherited only when every parent holding such a permission holds
  the same one (parents without it are ignored); when they differ nothing is inherited.
- Function permissions: granted when any parent has one.
- An inherited role may have other inherited roles as parents; a permission defined for the
  inherited role itself overrides what it would inherit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from engine.graphql.model import JSON, Model, SelectPerm, TableInfo

_P = TypeVar("_P")


def apply_inherited(model: Model) -> None:
    """Give every inherited role of ``model`` its derived permissions (parents first)."""
    for role in _ordered(model.inherited):
        parents = model.inherited[role]
        for info in model.tables.values():
            _derive_table(info, role, parents)
        for fn in model.functions.values():
            if role not in fn.permissions and any(p in fn.permissions for p in parents):
                fn.permissions = fn.permissions | {role}


def _ordered(inherited: dict[str, list[str]]) -> list[str]:
    """Inherited roles with each one after the inherited roles it inherits from."""
    out: list[str] = []
    state: dict[str, bool] = {}

    def visit(role: str) -> None:
        if state.get(role) is not None:
            return  # done, or a cycle (refused when the role was added)
        state[role] = False
        for parent in inherited.get(role, ()):
            if parent in inherited:
                visit(parent)
        state[role] = True
        out.append(role)

    for role in inherited:
        visit(role)
    return out


def _derive_table(info: TableInfo, role: str, parents: list[str]) -> None:
    if role not in info.select:
        perms = [info.select[p] for p in parents if p in info.select]
        if perms:
            info.select[role] = combine_select(perms)
    _inherit(info.insert, role, parents)
    _inherit(info.update, role, parents)
    _inherit(info.delete, role, parents)


def _inherit(perms: dict[str, _P], role: str, parents: list[str]) -> None:
    if role not in perms:
        same = _same([perms[p] for p in parents if p in perms])
        if same is not None:
            perms[role] = same


def _same(perms: list[_P]) -> _P | None:
    """The permission all parents agree on (None when there is none or they differ)."""
    if not perms or any(p != perms[0] for p in perms[1:]):
        return None
    return perms[0]


def _or(filters: list[JSON]) -> JSON:
    unique: list[JSON] = []
    for f in filters:
        if f not in unique:
            unique.append(f)
    if any(not f for f in unique):
        return {}  # one parent sees every row
    return unique[0] if len(unique) == 1 else {"_or": unique}


def _visible(perm: SelectPerm, name: str) -> JSON:
    """The filter under which a parent shows ``name`` (its own redaction, else its rows)."""
    return perm.redact.get(name, perm.filter)


def combine_select(perms: list[SelectPerm]) -> SelectPerm:
    """The select permission of a role inheriting from ``perms``."""
    row_filter = _or([p.filter for p in perms])
    redact: dict[str, JSON] = {}

    def redaction(names: Iterable[str], held: Any) -> None:
        for name in names:
            visible = _or([_visible(p, name) for p in perms if name in held(p)])
            if visible != row_filter:
                redact[name] = visible

    columns: frozenset[str] = frozenset().union(*(p.columns for p in perms))
    computed: frozenset[str] = frozenset().union(*(p.computed_fields for p in perms))
    redaction(sorted(columns), lambda p: p.columns)
    redaction(sorted(computed), lambda p: p.computed_fields)
    limits = [p.limit for p in perms]
    return SelectPerm(
        columns=columns, filter=row_filter,
        limit=None if any(x is None for x in limits) else max(x for x in limits if x is not None),
        allow_aggregations=any(p.allow_aggregations for p in perms),
        computed_fields=computed, redact=redact)


__all__ = ["apply_inherited", "combine_select"]
