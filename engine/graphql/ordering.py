"""``order_by`` arguments: columns, object relationships, aggregates and computed fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.catalog.model import quote
from engine.graphql.calls import computed_call
from engine.graphql.errors import validation
from engine.graphql.model import Relationship, TableInfo
from engine.graphql.scalars import NUMERIC

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler

_DIRECTIONS = {
    "asc": "ASC NULLS LAST", "asc_nulls_last": "ASC NULLS LAST",
    "asc_nulls_first": "ASC NULLS FIRST", "desc": "DESC NULLS FIRST",
    "desc_nulls_first": "DESC NULLS FIRST", "desc_nulls_last": "DESC NULLS LAST",
}


def direction(value: Any, path: str) -> str:
    """The SQL of an ``order_by`` enum value."""
    found = _DIRECTIONS.get(str(value))
    if found is None:
        raise validation(f"unexpected value {value!r} for enum: 'order_by'", path)
    return found


Item = tuple[str, str, tuple[str, ...]]
"""An ORDER BY item: expression, direction, and the ``order_by`` keys leading to it."""


def _under(key: str, items: list[Item]) -> list[Item]:
    return [(e, d, (key, *keys)) for e, d, keys in items]


class OrderBy:
    """Compiles one ``order_by`` argument with a compiler's state."""

    def __init__(self, compiler: Compiler) -> None:
        self.c = compiler

    def items(self, info: TableInfo, alias: str, raw: Any, path: str) -> list[tuple[str, str]]:
        """ORDER BY items (expression, direction)."""
        return [(e, d) for e, d, _ in self.keyed_items(info, alias, raw, path)]

    def keyed_items(self, info: TableInfo, alias: str, raw: Any, path: str) -> list[Item]:
        """ORDER BY items with the ``order_by`` keys leading to each.

        Columns by their column name, e.g. ``("articles_aggregate", "count")`` or ``("id",)``:
        what a Relay cursor records.
        """
        value = self.c.values.deep(raw)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out: list[Item] = []
        for item in items:
            if not isinstance(item, dict):
                raise validation("expected an object for order_by", path)
            out.extend(self._order_object(info, alias, item, path, lambda e: e))
        return out

    def _order_object(self, info: TableInfo, alias: str, item: dict[str, Any], path: str,
                      wrap: Any) -> list[Item]:
        f2c = info.field_to_column()
        out: list[Item] = []
        for key, value in item.items():
            if value is None:
                continue
            if key in f2c and self.c.column_allowed(info, f2c[key]):
                ref = self.c.redacted(info, alias, f2c[key], f"{alias}.{quote(f2c[key])}")
                out.append((wrap(ref), direction(value, f"{path}.{key}"), (f2c[key],)))
            elif key in info.relationships and not info.relationships[key].array \
                    and self.c.can_select(info.relationships[key].remote):
                rel = info.relationships[key]
                remote = self.c.model.tables[rel.remote]
                ra = self.c.new_alias()
                cond = self.c.join_on(rel, alias, ra)
                pf = self.c.select_filter(remote, ra)
                if pf != "true":
                    cond += f" AND {pf}"

                def inner(e: str, remote: TableInfo = remote, ra: str = ra,
                          cond: str = cond) -> str:
                    return str(wrap(f"(SELECT {e} FROM {remote.table.qualified} {ra} "
                                f"WHERE {cond} LIMIT 1)"))

                out.extend(_under(key, self._order_object(remote, ra, value, f"{path}.{key}",
                                                          inner)))
            elif self.c.computed_allowed(info, key) and info.computed[key].returns is None \
                    and info.computed[key].filterable:
                expr = computed_call(self.c, info.computed[key], alias)
                out.append((wrap(expr), direction(value, f"{path}.{key}"), (key,)))
            elif key.endswith("_aggregate") and self.c.computed_allowed(info, key[:-10]) \
                    and info.computed[key[:-10]].filterable:
                cf = info.computed[key[:-10]]
                assert cf.returns is not None
                remote = self.c.model.tables[cf.returns]
                out.extend(_under(key, self._order_aggregate_source(
                    remote, lambda ra, cf=cf: f"{computed_call(self.c, cf, alias)} {ra}", [],
                    value, wrap, f"{path}.{key}")))
            elif key.endswith("_aggregate") and key[:-10] in info.relationships \
                    and self.c.can_select(info.relationships[key[:-10]].remote):
                rel = info.relationships[key[:-10]]
                remote = self.c.model.tables[rel.remote]
                out.extend(_under(key, self._order_aggregate(info, alias, rel, remote, value,
                                                             wrap, f"{path}.{key}")))
            else:
                raise validation(f"field '{key}' not found in type: '{info.name}_order_by'",
                                 f"{path}.{key}")
        return out

    def _order_aggregate(self, info: TableInfo, alias: str, rel: Relationship,
                         remote: TableInfo, spec: dict[str, Any], wrap: Any, path: str
                         ) -> list[Item]:
        return self._order_aggregate_source(
            remote, lambda ra: f"{remote.table.qualified} {ra}",
            [lambda ra: self.c.join_on(rel, alias, ra)], spec, wrap, path)

    def _order_aggregate_source(self, remote: TableInfo, source: Any, conds: list[Any],
                                spec: dict[str, Any], wrap: Any, path: str
                                ) -> list[Item]:
        out: list[Item] = []
        f2c = remote.field_to_column()
        for fn, sub in spec.items():
            if sub is None:
                continue
            ra = self.c.new_alias()
            parts = [c(ra) for c in conds]
            pf = self.c.select_filter(remote, ra)
            if pf != "true":
                parts.append(pf)
            where = " WHERE " + " AND ".join(parts) if parts else ""
            src = f"FROM {source(ra)}{where}"
            if fn == "count":
                out.append((wrap(f"(SELECT count(*) {src})"), direction(sub, path), (fn,)))
                continue
            for col, dir_value in (sub or {}).items():
                if dir_value is None:
                    continue
                column = f2c.get(col)
                if column is None or not self.c.column_allowed(remote, column) or (
                        fn not in ("max", "min")
                        and remote.table.columns[column].base not in NUMERIC):
                    raise validation(f"field '{col}' not found in type: "
                                     f"'{remote.name}_{fn}_order_by'", f"{path}.{fn}.{col}")
                expr = f"{fn}({ra}.{quote(column)})"
                out.append((wrap(f"(SELECT {expr} {src})"), direction(dir_value, path),
                            (fn, col)))
        return out
