"""The compiler's per-request state and what every SQL-building module asks of it.

A statement returns a root field's JSON text. Its pieces are compiled by concept: an
object's JSON (:mod:`~engine.graphql.object_selection`), row sets
(:mod:`~engine.graphql.row_sets`), root fields (:mod:`~engine.graphql.root_fields`),
filters (:mod:`~engine.graphql.boolexp`), aggregates, ordering and mutations; each is given
this :class:`Compiler` for the parameters, aliases and the role's permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode

from engine.catalog.model import quote
from engine.graphql.aggregates import Aggregates
from engine.graphql.bare_strings import BareAnswer, RowStrings
from engine.graphql.boolexp import BoolExp
from engine.graphql.errors import validation
from engine.graphql.model import (
    Model,
    Relationship,
    SelectPerm,
    TableInfo,
)
from engine.graphql.object_selection import object_json
from engine.graphql.options import EngineOptions
from engine.graphql.ordering import OrderBy
from engine.graphql.params import Params
from engine.graphql.providers import JoinField
from engine.graphql.roles import Access, access
from engine.graphql.row_sets import row_clauses
from engine.graphql.scalars import GEOMETRIC, STRINGIFIED, scalar_name
from engine.graphql.selection import Selected, collect, sub_selection_sets
from engine.graphql.sqltext import (
    json_value,
)
from engine.graphql.values import Values, from_ast


class Compiler:
    """Per-request compilation state: parameters, aliases, variables used structurally."""

    def __init__(self, model: Model, role: str, options: EngineOptions,
                 fragments: Mapping[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any], access_map: dict[tuple[str, str], Access],
                 params: Params | None = None):
        self.model = model
        self.role = role
        self.options = options
        self.fragments = fragments
        self.variables = variables
        self.access_map = access_map
        self.params = Params() if params is None else params
        """Where the statement's parameters go (a subscription batch passes its own builder)."""
        self.values = Values()
        self._n = 0
        self.derived_rows: set[str] = set()
        """Aliases of derived relations (a mutation's rows) rather than table rows."""
        self.relay = False
        """Compiling for the Relay API: ``id`` is the global id, connections are served."""
        self.joins: Mapping[tuple[str, str], Mapping[str, JoinField]] = {}
        """(schema, table) → the role's fields answered by another server."""
        self.join_slots: list[tuple[JoinField, Selected]] = []
        """Join fields the statement selects, by slot (see :mod:`engine.graphql.joins`)."""
        self.row_strings: list[RowStrings | None] = []
        """The rows being compiled, innermost last, for their strings (None: a subquery of
        a row; see :mod:`engine.graphql.bare_strings`)."""
        self.markers = 0
        """String markers handed out (each row's are numbered apart from the others')."""
        self.bare_answer: BareAnswer | None = None
        """The root row set's statement with every string bare, checked by the engine."""
        self.reads_committed_rows = False
        """The statement only reads (a query root): an enforced foreign key's row is there.
        Off for mutations, whose returning rows may point at rows the statement's own
        snapshot does not show."""

    # -- shared helpers ------------------------------------------------------------------
    def new_alias(self) -> str:
        """A fresh table alias."""
        self._n += 1
        return f"_{self._n}"

    def access(self, key: tuple[str, str]) -> Access:
        """The role's access to a table."""
        found = self.access_map.get(key)
        if found is None:
            found = self.access_map[key] = access(self.model.tables[key], self.role)
        return found

    def can_select(self, key: tuple[str, str]) -> bool:
        """Whether the role may select from the table."""
        return self.access(key).select is not None

    def select_perm(self, info: TableInfo) -> SelectPerm:
        """The role's select permission (callers checked it exists)."""
        perm = self.access(info.key).select
        assert perm is not None
        return perm

    def permission_condition(self, info: TableInfo, alias: str, expr: Any) -> str:
        """A permission filter/check as a SQL condition."""
        if not expr:
            return "true"
        return BoolExp(self, permission=True).compile(info, alias, expr, "$")

    def select_filter(self, info: TableInfo, alias: str) -> str:
        """The role's select filter on ``alias``."""
        perm = self.access(info.key).select
        return "false" if perm is None else self.permission_condition(info, alias, perm.filter)

    def where(self, info: TableInfo, alias: str, expr: Any, path: str) -> str:
        """A ``where`` argument as a SQL condition."""
        return BoolExp(self, permission=False).compile(info, alias, expr, path)

    def comparison_name(self, info: TableInfo, column: str) -> str:
        """``<scalar>_comparison_exp`` of a column."""
        return f"{scalar_name(info.table.columns[column])}_comparison_exp"

    def arguments(self, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as values (variables as references)."""
        return {a.name.value: from_ast(a.value, self.variables) for a in node.arguments or ()}

    def fields(self, selected: Selected, type_names: set[str]) -> list[Selected]:
        """The sub-fields of a field."""
        return collect(sub_selection_sets(selected), type_names, f"{selected.path}.selectionSet",
                       self.fragments, self.variables, self.values, selected.stack)

    def enum_column(self, info: TableInfo, value: Any, path: str) -> str:
        """The column a ``<table>_select_column`` value names (refused when not selectable)."""
        column = info.field_to_column().get(str(value))
        perm = self.access(info.key).select
        if column is None or perm is None or column not in perm.columns:
            raise validation(f"unexpected value {value!r} for enum: "
                             f"'{info.name}_select_column'", path)
        return column

    def join_on(self, rel: Relationship, local: str, remote: str) -> str:
        """The join condition of a relationship."""
        return " AND ".join(f"{remote}.{quote(r)} = {local}.{quote(loc)}"
                            for loc, r in rel.mapping)

    def redacted(self, info: TableInfo, alias: str, name: str, expr: str) -> str:
        """``expr`` (a column or computed field of ``alias``) as an inherited role sees it.

        Hasura nulls the value in rows that no parent role allowing that field may see.
        """
        perm = self.access(info.key).select
        if perm is None or name not in perm.redact:
            return expr
        cond = self.permission_condition(info, alias, perm.redact[name])
        return f"(CASE WHEN {cond} THEN {expr} ELSE NULL END)"

    def column_expr(self, info: TableInfo, alias: str, column: str) -> str:
        """A column's output expression (numeric types as strings when configured)."""
        ref = f"{alias}.{quote(column)}"
        col = info.table.columns[column]
        if self.options.stringify_numeric_types and col.base in STRINGIFIED:
            return f"({ref})::text"
        if col.base in GEOMETRIC:
            # GeoJSON with the long CRS name, as Hasura answers PostGIS values.
            return f"ST_AsGeoJSON({ref}, 15, 4)::json"
        return ref

    def column_type(self, info: TableInfo, column: str) -> str:
        """The SQL type of :meth:`column_expr`'s value (``text`` when stringified)."""
        col = info.table.columns[column]
        if self.options.stringify_numeric_types and col.base in STRINGIFIED:
            return "text"
        if col.base in GEOMETRIC:
            return "json"
        return col.type

    def column_json(self, info: TableInfo, alias: str, column: str) -> str:
        """A column's output as JSON text."""
        return json_value(self.column_expr(info, alias, column), self.column_type(info, column))

    def column_allowed(self, info: TableInfo, column: str) -> bool:
        """Whether the role may select ``column`` (and so filter and order on it, as Hasura)."""
        perm = self.access(info.key).select
        return perm is not None and column in perm.columns

    def computed_allowed(self, info: TableInfo, name: str) -> bool:
        """Whether ``name`` is a computed field the role may use."""
        cf = info.computed.get(name)
        if cf is None:
            return False
        perm = self.access(info.key).select
        if perm is None:
            return False
        if cf.returns is not None:
            return self.can_select(cf.returns)
        return self.role == "admin" or name in perm.computed_fields

    # -- what the concept modules answer, for the modules that compile with this state ---
    def object_json(self, info: TableInfo, alias: str,
                    fields: list[Selected]) -> tuple[str, list[str]]:
        """The JSON text of one row's object and the LEFT JOINs it needs."""
        return object_json(self, info, alias, fields)

    def row_clauses(self, info: TableInfo, alias: str, sel: Selected, conds: list[str],
                    permission_limit: bool = True) -> tuple[str, str, str]:
        """WHERE, ORDER BY + LIMIT/OFFSET and DISTINCT ON of a row set (see :mod:`row_sets`)."""
        return row_clauses(self, info, alias, sel, conds, permission_limit)

    def order_by(self, info: TableInfo, alias: str, raw: Any, path: str) -> list[tuple[str, str]]:
        """ORDER BY items (expression, direction) of an ``order_by`` argument."""
        return OrderBy(self).items(info, alias, raw, path)

    def aggregate(self, info: TableInfo, alias: str, sel: Selected, conds: list[str],
                  source: str | None = None) -> str:
        """``<table>_aggregate``: aggregate JSON over the filtered row set, plus nodes."""
        return Aggregates(self).compile(info, alias, sel, conds, source)


__all__ = ["Compiler"]
