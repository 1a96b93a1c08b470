"""Compile ``update_<table>``, ``update_<table>_by_pk`` and ``update_<table>_many``.

Each update is one ``UPDATE ... RETURNING`` statement wrapped by the mutation response. The
updates of ``update_<table>_many`` are one statement each, run in order inside the request's
transaction: a later update sees the rows an earlier one changed, which the sub-statements of
a single SQL statement (one snapshot) could not.
"""

from __future__ import annotations

from typing import Any

from engine.catalog.model import quote
from engine.graphql.errors import validation
from engine.graphql.model import TableInfo, UpdatePerm
from engine.graphql.mutations import MutationCompiler, Statement
from engine.graphql.params import Params, to_json_text, to_text_list
from engine.graphql.scalars import JSONB, NUMERIC
from engine.graphql.selection import Selected

OPERATORS = ("_set", "_inc", "_append", "_prepend", "_delete_key", "_delete_elem",
             "_delete_at_path")
"""The update operators, in the order their columns are assigned."""

_OP_SUFFIX = {"_set": "_set_input", "_inc": "_inc_input", "_append": "_append_input",
              "_prepend": "_prepend_input", "_delete_key": "_delete_key_input",
              "_delete_elem": "_delete_elem_input", "_delete_at_path": "_delete_at_path_input"}
_ALIAS = "_t"


class UpdateCompiler:
    """Compiles update root fields with a :class:`MutationCompiler`'s state."""

    def __init__(self, mutations: MutationCompiler) -> None:
        self.m = mutations
        self.c = mutations.c

    def _perm(self, info: TableInfo, sel: Selected) -> UpdatePerm:
        perm = self.c.access(info.key).update
        if perm is None:
            raise validation(f"field '{sel.name}' not found in type: 'mutation_root'", sel.path)
        return perm

    def update(self, info: TableInfo, sel: Selected, by_pk: bool) -> Statement:
        """``update_<table>`` / ``update_<table>_by_pk``."""
        perm = self._perm(info, sel)
        modify = self._modify(info, perm, self.c.arguments(sel.node), f"{sel.path}.args",
                              sel.path if by_pk else None)
        return Statement(self.m.finish(info, sel, modify, by_pk), self.c.params.sources, sel.path)

    def update_many(self, info: TableInfo, sel: Selected) -> list[Statement]:
        """``update_<table>_many``: one statement per entry of ``updates``, in order."""
        perm = self._perm(info, sel)
        args = self.c.arguments(sel.node)
        for key in args:
            if key != "updates":
                raise validation(f"'{sel.name}' has no argument named '{key}'", f"{sel.path}.args")
        updates = self.c.values.concrete(args.get("updates"))
        if updates is None:
            raise validation("missing required field 'updates'", f"{sel.path}.args")
        statements = []
        for i, entry in enumerate(updates if isinstance(updates, list) else [updates]):
            path = f"{sel.path}.args.updates[{i}]"
            entry = self.c.values.concrete(entry)
            if not isinstance(entry, dict):
                raise validation(f"expected an object for type '{info.name}_updates'", path)
            self.c.params = Params()  # each statement numbers its own parameters
            modify = self._modify(info, perm, entry, path, None)
            statements.append(Statement(self.m.finish(info, sel, modify, False),
                                        self.c.params.sources, sel.path))
        return statements

    def _modify(self, info: TableInfo, perm: UpdatePerm, args: dict[str, Any], path: str,
                pk_path: str | None) -> str:
        """``UPDATE ... RETURNING *, (check) AS "__check"`` for one set of operators.

        ``path`` is where the operators are (``...args`` or ``...args.updates[i]``);
        ``pk_path`` is set for ``_by_pk`` (the row is chosen by ``pk_columns``).
        """
        # Hasura requires an operator only when the permission presets no column: an update
        # whose permission sets columns may be sent with ``where`` alone.
        if not perm.set and not any(args.get(op) is not None for op in OPERATORS):
            raise validation("At least any one of _set, _inc, _append, _prepend, _delete_key, "
                             "_delete_elem, _delete_at_path is expected", path)
        sets = self._assignments(info, perm, args, path)
        for c, v in perm.set.items():
            sets.append(f"{quote(c)} = {self.m.preset(info, c, v)}")
        conds = []
        pf = self.c.permission_condition(info, _ALIAS, perm.filter)
        if pf != "true":
            conds.append(pf)
        if pk_path is not None:
            pk = self.c.values.concrete(args.get("pk_columns")) or {}
            for column in info.table.primary_key:
                gname = info.columns[column]
                conds.append(f"{_ALIAS}.{quote(column)} = "
                             f"{self.m.value(info, column, pk.get(gname), pk_path)}")
        else:
            w = self.c.where(info, _ALIAS, self.m.required_where(info, args, path),
                             f"{path}.where")
            if w != "true":
                conds.append(w)
        where = " WHERE " + " AND ".join(conds) if conds else ""
        check = self.c.permission_condition(info, _ALIAS, perm.check) if perm.check else "true"
        table = info.table.qualified
        if not sets:
            # Nothing to change: answer as an update of no rows.
            return (f"SELECT {_ALIAS}.*, true AS \"__check\" FROM {table} "
                    f"{_ALIAS}{where}{' AND' if where else ' WHERE'} false")
        return (f"UPDATE {table} AS {_ALIAS} SET {', '.join(sets)}{where} "
                f"RETURNING *, ({check}) AS \"__check\"")

    def _assignments(self, info: TableInfo, perm: UpdatePerm, args: dict[str, Any],
                     path: str) -> list[str]:
        """``column = expression`` for every column an operator names."""
        f2c = info.field_to_column()
        sets: list[str] = []
        seen: set[str] = set()
        multiple: list[str] = []
        for op in OPERATORS:
            spec = self.c.values.concrete(args.get(op))
            if not spec:
                continue
            for gname, raw in spec.items():
                column = f2c.get(gname)
                if column is None or column not in perm.columns or column in perm.set \
                        or not _applies(info, op, column):
                    raise validation(f"field '{gname}' not found in type: "
                                     f"'{info.name}{_OP_SUFFIX[op]}'", f"{path}.{op}")
                if column in seen:
                    multiple.append(column)
                seen.add(column)
                expr = self._expression(info, op, column, raw, f"{path}.{op}.{gname}")
                sets.append(f"{quote(column)} = {expr}")
        if multiple:
            shown = ", ".join(f"'{c}'" for c in multiple)
            raise validation(f"Column found in multiple operators: [{shown}].", path)
        return sets

    def _expression(self, info: TableInfo, op: str, column: str, raw: Any, path: str) -> str:
        """The new value of ``column`` under one operator."""
        ref = f"{_ALIAS}.{quote(column)}"
        params = self.c.params
        if op == "_set":
            return self.m.value(info, column, raw, path)
        if op == "_inc":
            return f"{ref} + {self.m.value(info, column, raw, path)}"
        if op == "_append":
            return f"{ref} || {params.text(raw, 'jsonb', to_json_text)}"
        if op == "_prepend":
            return f"{params.text(raw, 'jsonb', to_json_text)} || {ref}"
        if op == "_delete_key":
            return f"{ref} - {params.text(raw, 'text')}"
        if op == "_delete_elem":
            return f"{ref} - {params.text(raw, 'int4')}"
        return f"{ref} #- {params.add(raw, to_text_list)}::text[]"


def _applies(info: TableInfo, op: str, column: str) -> bool:
    """Whether the operator's input type has the column (``_inc``: numeric; jsonb ones: jsonb)."""
    base = info.table.columns[column].base
    if op == "_set":
        return True
    if op == "_inc":
        return base in NUMERIC
    return base == JSONB


__all__ = ["OPERATORS", "UpdateCompiler"]
