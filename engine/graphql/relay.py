"""The Relay API's SQL (``/v1beta1/relay``): connections and the Relay root fields.

As Hasura serves it: tables, tracked functions and array relationships are served as
``<name>_connection`` with ``first``, ``last``, ``after`` and ``before``; a cursor is base64
of the JSON object of the row's ``order_by`` columns and primary key. The schema is in
:mod:`engine.graphql.relay_schema`, global ids and ``node`` in :mod:`engine.graphql.relay_ids`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.catalog.model import quote
from engine.graphql.calls import function_call
from engine.graphql.errors import validation
from engine.graphql.model import Relationship, TableInfo, TrackedFunction
from engine.graphql.ordering import Item, OrderBy
from engine.graphql.relay_ids import base64_text, column_param, node_id_expr, node_root
from engine.graphql.selection import Selected
from engine.graphql.sqltext import JsonPart, json_object, json_string, json_value, literal

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler


def _flip(direction: str) -> str:
    words = direction.split()
    words[0] = "DESC" if words[0] == "ASC" else "ASC"
    if "FIRST" in words:
        words[words.index("FIRST")] = "LAST"
    elif "LAST" in words:
        words[words.index("LAST")] = "FIRST"
    return " ".join(words)


_MISSING = object()


class Connection:
    """Compiles one ``<name>_connection`` field with a compiler's state."""

    def __init__(self, compiler: Compiler) -> None:
        self.c = compiler

    def _order(self, info: TableInfo, alias: str, raw_order: Any, path: str) -> list[Item]:
        """The ORDER BY items, the primary key appended (ascending) where not ordered on."""
        items = OrderBy(self.c).keyed_items(info, alias, raw_order, path)
        keys = {k for _, _, k in items}
        items.extend((f"{alias}.{quote(c)}", "ASC", (c,)) for c in info.table.primary_key
                     if (c,) not in keys)
        return items

    @staticmethod
    def _cursor(items: list[Item]) -> str:
        """The cursor: base64 of a JSON object mirroring ``order_by`` (as Hasura builds it)."""
        tree: dict[str, Any] = {}
        for expr, _, keys in items:
            node = tree
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = expr

        def render(node: dict[str, Any]) -> str:
            return "json_build_object(" + ", ".join(
                f"{literal(k)}, {render(v) if isinstance(v, dict) else v}"
                for k, v in node.items()) + ")"

        return base64_text(render(tree))

    def _cursor_condition(self, info: TableInfo, cursor: Any, items: list[Item], before: bool,
                          path: str) -> str:
        text = str(self.c.values.concrete(cursor))
        try:
            values = json.loads(base64.b64decode(text + "=" * (-len(text) % 4)))
        except (binascii.Error, ValueError):
            raise validation("the cursor is not valid", path) from None
        if not isinstance(values, dict):
            raise validation("the cursor is not valid", path)
        ors = []
        equal: list[str] = []
        for expr, direction, keys in items:
            found: Any = values
            for key in keys:
                found = found.get(key, _MISSING) if isinstance(found, dict) else _MISSING
            if found is _MISSING:
                continue
            if len(keys) == 1 and keys[0] in info.table.columns:
                ref, param = expr, column_param(self.c, found, info.table.columns[keys[0]].type)
            else:
                # Relationship columns and aggregates: compared as JSON values.
                ref = f"to_jsonb({expr})"
                param = f"{self.c.params.add(json.dumps(found), lambda v: v)}::jsonb"
            ascending = direction.startswith("ASC")
            op = ">" if ascending != before else "<"
            ors.append("(" + " AND ".join([*equal, f"{ref} {op} {param}"]) + ")")
            equal.append(f"{ref} = {param}")
        return "(" + " OR ".join(ors) + ")" if ors else "true"

    def compile(self, info: TableInfo, sel: Selected,
                conds: Callable[[str], list[str]] = lambda alias: [],
                source: Callable[[str], str] | None = None) -> str:
        """The connection's JSON text; ``conds`` and ``source`` are given the rows' alias."""
        c = self.c
        args = c.arguments(sel.node)
        path = sel.path
        given = {k: c.values.concrete(args.get(k)) for k in ("first", "last", "after", "before")}
        if given["first"] is not None and given["last"] is not None:
            raise validation('"first" and "last" are not allowed at once', f"{path}.args")
        if given["after"] is not None and given["before"] is not None:
            raise validation('"after" and "before" are not allowed at once', f"{path}.args")
        alias = c.new_alias()
        source_sql = source(alias) if source else f"{info.table.qualified} {alias}"
        where = conds(alias)
        pf = c.select_filter(info, alias)
        if pf != "true":
            where.append(pf)
        if args.get("where") is not None:
            w = c.where(info, alias, args["where"], f"{path}.args.where")
            if w != "true":
                where.append(w)
        keyed = self._order(info, alias, args.get("order_by"), f"{path}.args.order_by")
        items = [(e, d) for e, d, _ in keyed]
        base_sql = f" WHERE {' AND '.join(where)}" if where else ""
        cursor_conds = [self._cursor_condition(info, args.get(key), keyed, key == "before",
                                               f"{path}.args.{key}")
                        for key in ("after", "before") if given[key] is not None]
        where = [*where, *cursor_conds]
        where_sql = f" WHERE {' AND '.join(where)}" if where else ""
        last = given["last"]
        limit = given["first"] if last is None else last
        order = ", ".join(f"{e} {d if last is None else _flip(d)}" for e, d in items)
        cursor = self._cursor(keyed)
        out_order = " DESC" if last is not None else ""
        pairs: list[tuple[str, JsonPart]] = []
        for field_sel in c.fields(sel, {f"{info.name}Connection"}):
            if field_sel.name == "__typename":
                pairs.append((field_sel.alias, json_string(f"{info.name}Connection")))
            elif field_sel.name == "edges":
                pairs.append((field_sel.alias, self._edges(
                    info, alias, field_sel, source_sql, where_sql, order, limit, cursor,
                    out_order)))
            elif field_sel.name == "pageInfo":
                pairs.append((field_sel.alias, self._page_info(
                    field_sel, source_sql, base_sql, cursor_conds, items, limit,
                    last is not None, cursor)))
            else:
                raise validation(f"field '{field_sel.name}' not found in type: "
                                 f"'{info.name}Connection'", field_sel.path)
        return json_object(pairs)

    def _page_info(self, sel: Selected, source: str, base_sql: str, cursor_conds: list[str],
                   items: list[tuple[str, str]], limit: Any, backward: bool,
                   cursor: str) -> str:
        """``pageInfo``: the page's first and last cursors, and whether rows lie before or after.

        As Hasura answers: whether rows of the whole filtered set (cursors aside) sort before
        the page's first row or after its last one.
        """
        natural = ", ".join(f"{e} {d}" for e, d in items)
        ok = " AND ".join(cursor_conds) or "true"
        ranked = (f"SELECT {cursor} AS c, row_number() OVER (ORDER BY {natural}) AS ra, "
                  f"({ok}) AS ok FROM {source}{base_sql}")
        page = (f"SELECT _k.c, _k.ra FROM ({ranked}) _k WHERE _k.ok ORDER BY _k.ra"
                + (" DESC" if backward else "")
                + (f" LIMIT {int(limit)}" if limit is not None else ""))
        out: list[tuple[str, JsonPart]] = []
        for p in self.c.fields(sel, {"PageInfo"}):
            if p.name == "__typename":
                out.append((p.alias, json_string("PageInfo")))
            elif p.name in ("startCursor", "endCursor"):
                pick = "_p.ra" if p.name == "startCursor" else "_p.ra DESC"
                out.append((p.alias, json_value(
                    f"(SELECT _p.c FROM ({page}) _p ORDER BY {pick} LIMIT 1)")))
            elif p.name == "hasPreviousPage":
                out.append((p.alias, json_value(
                    f"coalesce((SELECT min(_p.ra) > 1 FROM ({page}) _p), false)")))
            elif p.name == "hasNextPage":
                out.append((p.alias, json_value(
                    f"coalesce((SELECT max(_p.ra) < (SELECT count(*) FROM {source}{base_sql}) "
                    f"FROM ({page}) _p), false)")))
            else:
                raise validation(f"field '{p.name}' not found in type: 'PageInfo'", p.path)
        return json_object(out)
    def _edges(self, info: TableInfo, alias: str, sel: Selected, source: str, where_sql: str,
               order: str, limit: Any, cursor: str, out_order: str) -> str:
        c = self.c
        columns: list[str] = []
        pairs: list[tuple[str, JsonPart]] = []
        joins: list[str] = []
        for i, edge_field in enumerate(c.fields(sel, {f"{info.name}Edge"})):
            if edge_field.name == "__typename":
                pairs.append((edge_field.alias, json_string(f"{info.name}Edge")))
            elif edge_field.name == "cursor":
                pairs.append((edge_field.alias, json_value("_p.c")))
            elif edge_field.name == "node":
                obj, more = c.object_json(info, alias, c.fields(edge_field, {info.name, "Node"}))
                joins.extend(more)
                columns.append(f"{obj} AS n{i}")
                pairs.append((edge_field.alias, f"_p.n{i}"))
            else:
                raise validation(f"field '{edge_field.name}' not found in type: "
                                 f"'{info.name}Edge'", edge_field.path)
        selected = ", ".join([f"{cursor} AS c", f"row_number() OVER (ORDER BY {order}) AS r",
                              *columns])
        page = (f"SELECT {selected} FROM {source} {' '.join(joins)}{where_sql} ORDER BY {order}"
                + (f" LIMIT {int(limit)}" if limit is not None else ""))
        edge = json_object(pairs)
        return (f"(SELECT '[' || coalesce(string_agg({edge}, ',' ORDER BY _p.r{out_order}), '') "
                f"|| ']' FROM ({page}) _p)")

    def relationship(self, rel: Relationship, remote: TableInfo, parent: str,
                     sel: Selected) -> str:
        """``<relationship>_connection`` of an array relationship."""
        return self.compile(remote, sel, lambda alias: [self.c.join_on(rel, parent, alias)])


def relay_field(compiler: Compiler, info: TableInfo, alias: str, sel: Selected,
                pairs: list[tuple[str, JsonPart]]) -> bool:
    """Add a Relay-only field (the global ``id``, ``<relationship>_connection``), if it is one."""
    if sel.name == "id" and info.table.primary_key:
        pairs.append((sel.alias, json_value(node_id_expr(info, alias))))
        return True
    rel = info.relationships.get(sel.name.removesuffix("_connection"))
    remote = None if rel is None else compiler.model.tables[rel.remote]
    if sel.name.endswith("_connection") and rel is not None and remote is not None \
            and rel.array and remote.table.primary_key and compiler.can_select(rel.remote):
        pairs.append((sel.alias, Connection(compiler).relationship(rel, remote, alias, sel)))
        return True
    return False


def function_connection(compiler: Compiler, fn: TrackedFunction, sel: Selected) -> str:
    """``<function>_connection``: the function's rows as a connection."""
    info = compiler.model.tables[fn.returns]
    call = function_call(compiler, fn, compiler.arguments(sel.node).get("args"), sel.path)
    return Connection(compiler).compile(info, sel, source=lambda alias: f"{call} {alias}")


RELAY_ROOTS = frozenset({"connection", "function_connection", "node"})


def relay_root(compiler: Compiler, root_kind: str, target: Any, sel: Selected) -> str:
    """The statement of a Relay root field (its JSON text)."""
    if root_kind == "node":
        return node_root(compiler, sel)
    if root_kind == "function_connection":
        return f"SELECT {function_connection(compiler, target, sel)}"
    if not compiler.can_select(target.key):
        raise validation(f"field '{sel.name}' not found in type: 'query_root'", sel.path)
    return f"SELECT {Connection(compiler).compile(target, sel)}"
