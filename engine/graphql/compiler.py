"""Compile query root fields to one SQL statement each that returns the field's JSON text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode

from engine.catalog.model import quote
from engine.graphql.aggregates import Aggregates
from engine.graphql.arguments import int_arg
from engine.graphql.boolexp import BoolExp
from engine.graphql.calls import computed_call, function_call
from engine.graphql.errors import validation
from engine.graphql.joins import JOIN_SLOT_KEY
from engine.graphql.jsonpath import parse_path
from engine.graphql.model import (
    Model,
    Relationship,
    SelectPerm,
    TableInfo,
    TrackedFunction,
)
from engine.graphql.options import EngineOptions
from engine.graphql.ordering import OrderBy
from engine.graphql.params import Params, to_text
from engine.graphql.providers import JoinField
from engine.graphql.relay import relay_field
from engine.graphql.roles import Access, access
from engine.graphql.scalars import GEOMETRIC, STRINGIFIED, scalar_name
from engine.graphql.selection import Selected, collect, sub_selection_sets
from engine.graphql.sqltext import (
    Const,
    JsonPart,
    json_array,
    json_object,
    json_string,
    json_value,
    or_null,
    split_object,
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

    # -- object selections ---------------------------------------------------------------
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

    def object_json(self, info: TableInfo, alias: str,
                    fields: list[Selected]) -> tuple[str, list[str]]:
        """The JSON text of one row's object and the LEFT JOINs it needs."""
        perm = self.select_perm(info)
        f2c = info.field_to_column()
        pairs: list[tuple[str, JsonPart]] = []
        joins: list[str] = []
        for sel in fields:
            name = sel.name
            if self.relay and relay_field(self, info, alias, sel, pairs):
                continue
            if name == "__typename":
                pairs.append((sel.alias, json_string(info.name)))
            elif name in f2c and f2c[name] in perm.columns:
                expr = self.column_expr(info, alias, f2c[name])
                sql_type = self.column_type(info, f2c[name])
                path_arg = self.values.concrete(self.arguments(sel.node).get("path")) \
                    if sel.node.arguments else None
                if path_arg is not None:
                    keys = parse_path(str(path_arg), f"{sel.path}.args.path")
                    expr = f"{expr} #> {self.params.add(keys, lambda v: v)}::text[]"
                    sql_type = ""
                pairs.append((sel.alias,
                              json_value(self.redacted(info, alias, f2c[name], expr), sql_type)))
            elif name in info.relationships and self.can_select(info.relationships[name].remote):
                rel = info.relationships[name]
                remote = self.model.tables[rel.remote]
                if rel.array:
                    pairs.append((sel.alias, self.array_relationship(rel, remote, alias, sel)))
                else:
                    expr, more = self.object_relationship(rel, remote, alias, sel)
                    pairs.append((sel.alias, expr))
                    joins.extend(more)
            elif name.endswith("_aggregate") and name[:-10] in info.relationships \
                    and info.relationships[name[:-10]].array:
                rel = info.relationships[name[:-10]]
                remote = self.model.tables[rel.remote]
                if not self.can_select(rel.remote) or not self.select_perm(
                        remote).allow_aggregations:
                    raise validation(f"field '{name}' not found in type: '{info.name}'", sel.path)
                pairs.append((sel.alias,
                              or_null(self.aggregate_relationship(rel, remote, alias, sel))))
            elif self.computed_allowed(info, name):
                cf = info.computed[name]
                if cf.returns is None:
                    expr = computed_call(self, cf, alias, self.arguments(sel.node).get("args"))
                    fn = cf.function
                    sql_type = fn.return_base if fn.return_schema == "pg_catalog" else ""
                    if self.options.stringify_numeric_types and fn.return_base in STRINGIFIED:
                        expr = f"({expr})::text"
                        sql_type = "text"
                    pairs.append((sel.alias,
                                  json_value(self.redacted(info, alias, name, expr), sql_type)))
                else:
                    remote = self.model.tables[cf.returns]
                    ra = self.new_alias()
                    call = computed_call(self, cf, alias, self.arguments(sel.node).get("args"))
                    rows = self.rows_array(remote, ra, sel, [], source=f"{call} {ra}")
                    pairs.append((sel.alias, f"({rows})"))
            elif name in self.joins.get(info.key, {}):
                pairs.append((sel.alias, self.join_slot(info, alias, sel)))
            else:
                raise validation(f"field '{name}' not found in type: '{info.name}'", sel.path)
        return json_object(pairs), joins

    def join_slot(self, info: TableInfo, alias: str, sel: Selected) -> str:
        """A remote relationship's place in the row: its slot number and join columns."""
        found = self.joins[info.key][sel.name]
        self.join_slots.append((found, sel))
        slot = Const(str(len(self.join_slots) - 1))
        pairs: list[tuple[str, JsonPart]] = [(JOIN_SLOT_KEY, slot)]
        pairs.extend((c, self.column_json(info, alias, c)) for c in found.columns)
        return json_object(pairs)

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

    def object_relationship(self, rel: Relationship, remote: TableInfo, alias: str,
                            sel: Selected) -> tuple[str, list[str]]:
        """An object relationship: a LEFT JOIN when a key guarantees one row, else a subquery."""
        ra = self.new_alias()
        fields = self.fields(sel, {remote.name})
        cond = self.join_on(rel, alias, ra)
        perm = self.select_filter(remote, ra)
        if perm != "true":
            cond = f"{cond} AND {perm}"
        obj, joins = self.object_json(remote, ra, fields)
        if rel.unique:
            join = [f"LEFT JOIN {remote.table.qualified} {ra} ON {cond}", *joins]
            if rel.always_found and perm == "true" and self.reads_committed_rows:
                return obj, join  # the key guarantees the row: no test per row
            marker = f"{ra}.{quote(rel.mapping[0][1])}"
            return f"CASE WHEN {marker} IS NULL THEN 'null' ELSE {obj} END", join
        return or_null(f"(SELECT {obj} FROM {remote.table.qualified} {ra} {' '.join(joins)} "
                       f"WHERE {cond} LIMIT 1)"), []

    def array_relationship(self, rel: Relationship, remote: TableInfo, alias: str,
                           sel: Selected) -> str:
        """An array relationship: a correlated subquery aggregating JSON text."""
        ra = self.new_alias()
        return f"({self.rows_array(remote, ra, sel, [self.join_on(rel, alias, ra)])})"

    def aggregate_relationship(self, rel: Relationship, remote: TableInfo, alias: str,
                               sel: Selected) -> str:
        """``<rel>_aggregate`` of an array relationship."""
        ra = self.new_alias()
        return self.aggregate(remote, ra, sel, [self.join_on(rel, alias, ra)])

    # -- row sets ------------------------------------------------------------------------
    def row_clauses(self, info: TableInfo, alias: str, sel: Selected, conds: list[str],
                    permission_limit: bool = True) -> tuple[str, str, str]:
        """WHERE, ORDER BY + LIMIT/OFFSET, and the DISTINCT ON prefix of a row set.

        ``permission_limit`` False leaves the role's ``limit`` out (aggregates apply it to
        their ``nodes`` only).
        """
        args = self.arguments(sel.node)
        perm = self.select_perm(info)
        path = sel.path
        for key in args:
            if key not in ("where", "order_by", "limit", "offset", "distinct_on", "args"):
                raise validation(f"'{sel.name}' has no argument named '{key}'", f"{path}.args")
        all_conds = list(conds)
        pf = self.select_filter(info, alias)
        if pf != "true":
            all_conds.append(pf)
        if args.get("where") is not None:
            w = self.where(info, alias, args["where"], f"{path}.args.where")
            if w != "true":
                all_conds.append(w)
        where = " WHERE " + " AND ".join(all_conds) if all_conds else ""
        order_items = self.order_by(info, alias, args.get("order_by"), f"{path}.args.order_by")
        distinct = ""
        dcols = self.values.deep(args.get("distinct_on"))
        if dcols:
            dcols = dcols if isinstance(dcols, list) else [dcols]
            exprs = [f"{alias}.{quote(self.enum_column(info, c, f'{path}.args.distinct_on'))}"
                     for c in dcols]
            prefix = [e for e, _ in order_items[:len(exprs)]]
            if order_items and set(prefix) != set(exprs):
                raise validation('"distinct_on" columns must match initial "order_by" columns',
                                 f"{path}.args")
            distinct = "DISTINCT ON (" + ", ".join(exprs) + ") "
        tail = ""
        if order_items:
            tail += " ORDER BY " + ", ".join(f"{e} {d}" for e, d in order_items)
        limit = int_arg(self.values, args, "limit", path)
        if perm.limit is not None and permission_limit:
            limit = perm.limit if limit is None else min(limit, perm.limit)
        offset = int_arg(self.values, args, "offset", path)
        if limit is not None:
            tail += f" LIMIT {int(limit)}"
        if offset is not None:
            tail += f" OFFSET {int(offset)}"
        return where, tail, distinct

    def _row_parts(self, info: TableInfo, alias: str, sel: Selected, conds: list[str],
                   source: str | None) -> tuple[str, str, str]:
        """A row set's object JSON, its ``FROM ... LIMIT`` and its ``DISTINCT ON`` prefix."""
        fields = self.fields(sel, {info.name})
        where, tail, distinct = self.row_clauses(info, alias, sel, conds)
        obj, joins = self.object_json(info, alias, fields)
        source = source or f"{info.table.qualified} {alias}"
        return obj, f"FROM {source} {' '.join(joins)}{where}{tail}", distinct

    def rows(self, info: TableInfo, alias: str, sel: Selected, conds: list[str],
             source: str | None = None) -> str:
        """``SELECT <row JSON text> AS j FROM ... WHERE ... ORDER BY ... LIMIT``."""
        obj, rest, distinct = self._row_parts(info, alias, sel, conds, source)
        return f"SELECT {distinct}{obj} AS j {rest}"

    def rows_array(self, info: TableInfo, alias: str, sel: Selected, conds: list[str],
                   source: str | None = None) -> str:
        """``SELECT <JSON array text> FROM (<the rows>) _s``: the rows' objects as one array.

        Each row selects its object without the constant start and end every object shares
        (see :func:`split_object`).
        """
        obj, rest, distinct = self._row_parts(info, alias, sel, conds, source)
        lead, row, trail = split_object(obj)
        return (f"SELECT {json_array('_s.j', lead=lead, trail=trail)} "
                f"FROM (SELECT {distinct}{row} AS j {rest}) _s")

    def order_by(self, info: TableInfo, alias: str, raw: Any, path: str) -> list[tuple[str, str]]:
        """ORDER BY items (expression, direction) of an ``order_by`` argument."""
        return OrderBy(self).items(info, alias, raw, path)

    def aggregate(self, info: TableInfo, alias: str, sel: Selected, conds: list[str],
                  source: str | None = None) -> str:
        """``<table>_aggregate``: aggregate JSON over the filtered row set, plus nodes."""
        return Aggregates(self).compile(info, alias, sel, conds, source)

    # -- root fields ---------------------------------------------------------------------
    def select_root(self, info: TableInfo, sel: Selected) -> str:
        """The statement of a ``<table>`` root field."""
        alias = self.new_alias()
        return self.rows_array(info, alias, sel, [])

    def select_by_pk(self, info: TableInfo, sel: Selected) -> str:
        """The statement of a ``<table>_by_pk`` root field."""
        alias = self.new_alias()
        args = self.arguments(sel.node)
        conds = []
        for column in info.table.primary_key:
            gname = info.columns[column]
            if gname not in args:
                raise validation(f"missing required field '{gname}'", f"{sel.path}.args")
            col = info.table.columns[column]
            conds.append(f"{alias}.{quote(column)} = "
                         f"{self.params.text(args[gname], col.type, to_text)}")
        pf = self.select_filter(info, alias)
        if pf != "true":
            conds.append(pf)
        obj, joins = self.object_json(info, alias, self.fields(sel, {info.name}))
        return (f"SELECT {obj} FROM {info.table.qualified} {alias} {' '.join(joins)} "
                f"WHERE {' AND '.join(conds)}")

    def function_root(self, fn: TrackedFunction, sel: Selected, aggregate: bool) -> str:
        """The statement of a tracked function root field (or its ``_aggregate``)."""
        info = self.model.tables[fn.returns]
        alias = self.new_alias()
        call = function_call(self, fn, self.arguments(sel.node).get("args"), sel.path)
        source = f"{call} {alias}"
        if aggregate:
            return f"SELECT ({self.aggregate(info, alias, sel, [], source=source)})::text"
        if not fn.function.returns_set:
            return f"SELECT _s.j FROM ({self.rows(info, alias, sel, [], source=source)}) _s LIMIT 1"
        return self.rows_array(info, alias, sel, [], source=source)

    def select_aggregate(self, info: TableInfo, sel: Selected) -> str:
        """The statement of a ``<table>_aggregate`` root field."""
        return f"SELECT ({self.aggregate(info, self.new_alias(), sel, [])})::text"


__all__ = ["Compiler"]
