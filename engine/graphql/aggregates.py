"""``<table>_aggregate`` fields: count, sum, avg, ... over a filtered row set, plus nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.catalog.model import quote
from engine.graphql.errors import validation
from engine.graphql.model import TableInfo
from engine.graphql.scalars import STRINGIFIED
from engine.graphql.schema_aggregates import function_columns
from engine.graphql.selection import Selected
from engine.graphql.sqltext import (
    JsonPart,
    json_array,
    json_count,
    json_object,
    json_string,
    json_value,
)

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler

_REDACTED = "__redacted_"
AGGREGATES = ("sum", "avg", "max", "min", "stddev", "stddev_pop", "stddev_samp", "var_pop",
              "var_samp", "variance")


class Aggregates:
    """Compiles one aggregate selection with a compiler's state."""

    def __init__(self, compiler: Compiler) -> None:
        self.c = compiler

    def compile(self, info: TableInfo, alias: str, sel: Selected, conds: list[str],
                  source: str | None = None) -> str:
        """``<table>_aggregate``: aggregate JSON text over the filtered row set, plus nodes."""
        # Hasura computes aggregates over every row the role may see (a client's ``limit``
        # applies, the permission's does not) and limits only ``nodes`` by the permission.
        where, tail, distinct = self.c.row_clauses(info, alias, sel, conds,
                                                   permission_limit=False)
        node_limit = self.c.select_perm(info).limit
        fields = self.c.fields(sel, {f"{info.name}_aggregate"})
        node_fields: list[Selected] = []
        pairs: list[tuple[str, JsonPart]] = []
        node_keys: list[tuple[str, str]] = []
        for f in fields:
            if f.name == "__typename":
                pairs.append((f.alias, json_string(f"{info.name}_aggregate")))
            elif f.name == "aggregate":
                pairs.append((f.alias, self.aggregate_fields(info, f)))
            elif f.name == "nodes":
                key = f"n{len(node_keys)}"
                node_keys.append((f.alias, key))
                node_fields.append(f)
                if node_limit is None:
                    pairs.append((f.alias, json_array(f"_s.{key}")))
                else:
                    pairs.append((f.alias, f"'[' || coalesce(string_agg(_s.{key}, ',') "
                                           f'FILTER (WHERE _s."__rn" <= {int(node_limit)}), '
                                           "'') || ']'"))
            else:
                raise validation(f"field '{f.name}' not found in type: '{info.name}_aggregate'",
                                 f.path)
        cols = [f"{alias}.*"]
        # An inherited role aggregates the values it may see (others count as null).
        for column in self.c.select_perm(info).redact:
            if column in info.table.columns:
                ref = self.c.redacted(info, alias, column, f"{alias}.{quote(column)}")
                cols.append(f"{ref} AS {quote(_REDACTED + column)}")
        joins: list[str] = []
        for (_, key), f in zip(node_keys, node_fields, strict=True):
            obj, more = self.c.object_json(info, alias, self.c.fields(f, {info.name}))
            joins.extend(more)
            cols.append(f"{obj} AS {key}")
        source = source or f"{info.table.qualified} {alias}"
        inner = f"SELECT {distinct}{', '.join(cols)} FROM {source} {' '.join(joins)}{where}{tail}"
        if node_limit is not None and node_keys:
            # Rows keep the inner query's order; nodes take the first ``limit`` of them.
            inner = f'SELECT _q.*, row_number() OVER () AS "__rn" FROM ({inner}) _q'
        return f"(SELECT {json_object(pairs)} FROM ({inner}) _s)"

    def _ref(self, info: TableInfo, column: str) -> str:
        """A column of the aggregated rows ``_s`` (its redacted value for inherited roles)."""
        if column in self.c.select_perm(info).redact:
            return f"_s.{quote(_REDACTED + column)}"
        return f"_s.{quote(column)}"

    def aggregate_fields(self, info: TableInfo, sel: Selected) -> str:
        """The ``aggregate { count sum {...} ... }`` object's JSON text over ``_s``."""
        perm = self.c.select_perm(info)
        f2c = info.field_to_column()
        pairs: list[tuple[str, JsonPart]] = []
        for f in self.c.fields(sel, {f"{info.name}_aggregate_fields"}):
            if f.name == "__typename":
                pairs.append((f.alias, json_string(f"{info.name}_aggregate_fields")))
            elif f.name == "count":
                args = {k: self.c.values.deep(v) for k, v in self.c.arguments(f.node).items()}
                columns = args.get("columns")
                if isinstance(columns, str):
                    columns = [columns]
                distinct = "DISTINCT " if args.get("distinct") else ""
                if "columns" in args and not perm.columns:
                    # As Hasura: no ``columns`` argument when the role may select none.
                    raise validation("'count' has no argument named 'columns'", f"{f.path}.args")
                if columns:
                    refs = [self._ref(info, self.c.enum_column(info, c, f.path)) for c in columns]
                    inner = refs[0] if len(refs) == 1 else "ROW(" + ", ".join(refs) + ")"
                    pairs.append((f.alias, json_count(f"count({distinct}{inner})")))
                else:
                    pairs.append((f.alias, json_count("count(*)")))
            elif f.name in AGGREGATES and function_columns(info, list(perm.columns), f.name):
                # Offered when the function applies to a column the role may select.
                applies = function_columns(info, list(perm.columns), f.name)
                sub: list[tuple[str, JsonPart]] = []
                for c in self.c.fields(f, {f"{info.name}_{f.name}_fields"}):
                    if c.name == "__typename":
                        sub.append((c.alias, json_string(f"{info.name}_{f.name}_fields")))
                        continue
                    column = f2c.get(c.name)
                    if column is None or column not in applies:
                        raise validation(
                            f"field '{c.name}' not found in type: '{info.name}_{f.name}_fields'",
                            c.path)
                    expr = f"{f.name}({self._ref(info, column)})"
                    if self.c.options.stringify_numeric_types \
                            and info.table.columns[column].base in STRINGIFIED:
                        expr = f"({expr})::text"
                    sub.append((c.alias, json_value(expr)))
                pairs.append((f.alias, json_object(sub)))
            else:
                raise validation(
                    f"field '{f.name}' not found in type: '{info.name}_aggregate_fields'", f.path)
        return json_object(pairs)
