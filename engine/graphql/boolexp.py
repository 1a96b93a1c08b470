"""Boolean expressions (``where`` arguments and permission filters) compiled to SQL conditions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from engine.catalog.model import Column, quote
from engine.graphql.calls import computed_call
from engine.graphql.errors import GraphQLFieldError, validation
from engine.graphql.model import TableInfo, qualified
from engine.graphql.params import to_array_text, to_json_text, to_text, to_text_list
from engine.graphql.scalars import scalar_name
from engine.graphql.values import VarRef

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler

_CMP = {"_eq": "=", "_neq": "<>", "_ne": "<>", "_gt": ">", "_gte": ">=", "_lt": "<", "_lte": "<=",
        "_like": "LIKE", "_nlike": "NOT LIKE", "_ilike": "ILIKE", "_nilike": "NOT ILIKE",
        "_similar": "SIMILAR TO", "_nsimilar": "NOT SIMILAR TO", "_regex": "~",
        "_nregex": "!~", "_iregex": "~*", "_niregex": "!~*",
        "_contains": "@>", "_contained_in": "<@"}
_COLUMN_CMP = {"_ceq": "=", "_cne": "<>", "_cneq": "<>", "_cgt": ">", "_cgte": ">=",
               "_clt": "<", "_clte": "<="}
_ST_OPS = {"_st_contains": "ST_Contains", "_st_crosses": "ST_Crosses",
           "_st_equals": "ST_Equals", "_st_intersects": "ST_Intersects",
           "_st_overlaps": "ST_Overlaps", "_st_touches": "ST_Touches", "_st_within": "ST_Within",
           "_st_d_within": "ST_DWithin", "_st_3d_d_within": "ST_3DDWithin",
           "_st_3d_intersects": "ST_3DIntersects", "_st_intersects_rast": "ST_Intersects",
           "_st_intersects_nband_geom": "ST_Intersects",
           "_st_intersects_geom_nband": "ST_Intersects"}
# ``_cast``: the casts Hasura offers per column type (GraphQL name of the target → SQL type).
CASTS = {"geometry": {"geography": "geography"}, "geography": {"geometry": "geometry"},
         "jsonb": {"String": "text"}}
# ltree operators: (SQL operator, the right side's type).
_LTREE_OPS = {"_ancestor": ("@>", "ltree"), "_ancestor_any": ("@>", "ltree[]"),
              "_descendant": ("<@", "ltree"), "_descendant_any": ("<@", "ltree[]"),
              "_matches": ("~", "lquery"), "_matches_any": ("?", "lquery[]"),
              "_matches_fulltext": ("@", "ltxtquery")}
_LTREE_LABELS = re.compile(r"^([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)?$")
_TEXT_OPS = frozenset({"_like", "_nlike", "_ilike", "_nilike", "_similar", "_nsimilar", "_regex",
                       "_nregex", "_iregex", "_niregex"})


def is_session_var(value: Any) -> bool:
    """Whether a permission value names a session variable (``X-Hasura-User-Id``)."""
    return isinstance(value, str) and value.lower().startswith("x-hasura-")


class BoolExp:
    """Compiles one boolean expression against a table alias."""

    def __init__(self, compiler: Compiler, *, permission: bool, root_alias: str | None = None):
        self.c = compiler
        self.permission = permission
        self.root_alias = root_alias

    def compile(self, info: TableInfo, alias: str, expr: Any, path: str) -> str:
        """A SQL condition (``true`` for an empty expression)."""
        expr = self.c.values.concrete(expr)
        if expr is None:
            return "true"
        if not isinstance(expr, dict):
            raise validation("expected an object for a boolean expression", path)
        if self.root_alias is None:
            self.root_alias = alias
        names = info.table.columns if self.permission else info.field_to_column()
        parts: list[str] = []
        for key, raw in expr.items():
            if self.permission and key.startswith("$"):
                key = "_" + key[1:]  # the older permission syntax: $or, $eq, ...
            value = self.c.values.concrete(raw)
            sub = f"{path}.{key}"
            if key == "_and":
                items = value if isinstance(value, list) else [value]
                conds = [self.compile(info, alias, e, sub) for e in items if e is not None]
                parts.append("(" + " AND ".join(conds) + ")" if conds else "true")
            elif key == "_or":
                items = value if isinstance(value, list) else [value]
                conds = [self.compile(info, alias, e, sub) for e in items if e is not None]
                parts.append("(" + " OR ".join(conds) + ")" if conds else "false")
            elif key == "_not":
                parts.append(f"NOT ({self.compile(info, alias, value, sub)})")
            elif key == "_exists":
                parts.append(self._exists(value, sub))
            elif key in info.relationships and (self.permission or self.c.can_select(
                    info.relationships[key].remote)):
                parts.append(self._relationship(info, alias, key, value, sub))
            elif key in names and (self.permission or self.c.column_allowed(
                    info, str(names[key]))):
                column = str(names[key]) if not self.permission else key
                ref = None if self.permission else self.c.redacted(
                    info, alias, column, f"{alias}.{quote(column)}")
                parts.append(self._column(info, alias, column, value, sub, ref=ref))
            elif key in info.computed and info.computed[key].filterable and (
                    self.permission or self.c.computed_allowed(info, key)):
                parts.append(self._computed(info, alias, key, value, sub))
            else:
                raise validation(f"field '{key}' not found in type: '{info.name}_bool_exp'", sub)
        if not parts:
            return "true"
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _exists(self, value: Any, path: str) -> str:
        target = self.c.model.tables.get(qualified(value.get("_table")))
        if target is None:
            return "false"
        alias = self.c.new_alias()
        inner = BoolExp(self.c, permission=self.permission, root_alias=alias)
        cond = inner.compile(target, alias, value.get("_where") or {}, path)
        return f"EXISTS (SELECT 1 FROM {target.table.qualified} {alias} WHERE {cond})"

    def _relationship(self, info: TableInfo, alias: str, name: str, value: Any,
                      path: str) -> str:
        rel = info.relationships[name]
        remote = self.c.model.tables[rel.remote]
        ra = self.c.new_alias()
        join = " AND ".join(f"{ra}.{quote(r)} = {alias}.{quote(loc)}" for loc, r in rel.mapping)
        conds = [join]
        if not self.permission:
            perm = self.c.select_filter(remote, ra)
            if perm != "true":
                conds.append(perm)
        conds.append(BoolExp(self.c, permission=self.permission, root_alias=self.root_alias)
                     .compile(remote, ra, value, path))
        return (f"EXISTS (SELECT 1 FROM {remote.table.qualified} {ra} WHERE "
                + " AND ".join(conds) + ")")

    def _computed(self, info: TableInfo, alias: str, name: str, value: Any, path: str) -> str:
        cf = info.computed[name]
        call = computed_call(self.c, cf, alias)
        if cf.returns is None:
            ref = call if self.permission else self.c.redacted(info, alias, name, call)
            return self._column(info, alias, name, value, path, ref=ref, col=cf.scalar)
        remote = self.c.model.tables[cf.returns]
        ra = self.c.new_alias()
        conds = []
        if not self.permission:
            perm = self.c.select_filter(remote, ra)
            if perm != "true":
                conds.append(perm)
        conds.append(BoolExp(self.c, permission=self.permission, root_alias=self.root_alias)
                     .compile(remote, ra, value, path))
        return f"EXISTS (SELECT 1 FROM {call} {ra} WHERE " + " AND ".join(conds) + ")"

    def _value(self, info: TableInfo, column: str, value: Any, cast: str,
               col: Column | None = None) -> str:
        if self.permission and is_session_var(value):
            return self.c.params.session_comparand(value, cast)
        col = col or info.table.columns[column]
        convert = to_json_text if col.base in ("json", "jsonb") else (
            to_array_text if col.is_array else to_text)
        return self.c.params.comparand(value, cast, convert)

    def _column(self, info: TableInfo, alias: str, column: str, ops: Any, path: str,
                ref: str | None = None, col: Column | None = None) -> str:
        col = col or info.table.columns[column]
        ref = ref or f"{alias}.{quote(column)}"
        if not isinstance(ops, dict):
            if self.permission:
                ops = {"_eq": ops}
            else:
                raise validation("expected an object for a comparison expression", path)
        parts: list[str] = []
        for op, raw in ops.items():
            if self.permission and op.startswith("$"):
                op = "_" + op[1:]
            sub = f"{path}.{op}"
            if isinstance(raw, VarRef) and raw.value is None:
                self.c.values.concrete(raw)
            if (raw.value if isinstance(raw, VarRef) else raw) is None:
                if self.permission:
                    continue
                # A null comparison is an error (Hasura v2), never a condition dropped silently.
                raise validation(f'unexpected null value for type "{scalar_name(col)}"', sub)
            if op in _CMP and (op != "_ne" or self.permission):
                cast = "text" if op in _TEXT_OPS and col.base not in ("citext",) else col.type
                if op in ("_contains", "_contained_in"):
                    cast = "jsonb"
                lhs = f"{ref}::text" if op in _TEXT_OPS and cast == "text" else ref
                parts.append(f"{lhs} {_CMP[op]} {self._value(info, column, raw, cast, col)}")
            elif op in ("_in", "_nin"):
                parts.append(self._in(info, column, ref, raw, op == "_nin", col))
            elif op == "_is_null":
                flag = self.c.values.concrete(raw)
                parts.append(f"{ref} IS NULL" if flag else f"{ref} IS NOT NULL")
            elif op == "_has_key":
                parts.append(f"{ref} ? {self._plain(raw)}")
            elif op in ("_has_keys_any", "_has_keys_all"):
                sym = "?|" if op == "_has_keys_any" else "?&"
                if self.permission and is_session_var(raw):
                    parts.append(f"{ref} {sym} ({self.c.params.session(raw)}::text)::text[]")
                else:
                    parts.append(f"{ref} {sym} {self.c.params.add(raw, to_text_list)}::text[]")
            elif op in _LTREE_OPS and col.base == "ltree":
                parts.append(self._ltree(ref, op, raw, sub))
            elif op in _ST_OPS:
                parts.append(self._spatial(ref, op, raw, col))
            elif op == "_cast" and col.base in CASTS:
                parts.append(self._cast(info, alias, column, ref, raw, col, sub))
            elif op in _COLUMN_CMP:
                parts.append(f"{ref} {_COLUMN_CMP[op]} {self._column_ref(info, alias, raw)}")
            else:
                raise validation(
                    f"field '{op}' not found in type: '{scalar_name(col)}_comparison_exp'", sub)
        if not parts:
            return "true"
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _ltree(self, ref: str, op: str, raw: Any, path: str) -> str:
        sql_op, cast = _LTREE_OPS[op]
        value = self.c.values.concrete(raw)
        if cast.startswith("ltree"):
            # Hasura parses label paths itself before PostgreSQL sees them.
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                if not isinstance(item, str) or not _LTREE_LABELS.match(item):
                    where = f"{path}[{i}]" if isinstance(value, list) else path
                    raise GraphQLFieldError(
                        "Expecting label path: a sequence of zero or more labels separated by "
                        "dots, for example L1.L2.L3", "parse-failed", where)
        if cast.endswith("[]"):
            return f"{ref} {sql_op} ({self.c.params.add(raw, to_text_list)}::text[])::{cast}"
        return f"{ref} {sql_op} {self.c.params.text(raw, cast)}"

    def _geometry(self, raw: Any, type_: str) -> str:
        """A GeoJSON value as ``type_`` (geometry or geography)."""
        if self.permission and is_session_var(raw):
            return f"ST_GeomFromGeoJSON({self.c.params.session(raw)}::text)::{type_}"
        return f"ST_GeomFromGeoJSON({self.c.params.add(raw, to_json_text)}::text)::{type_}"

    def _scalar(self, raw: Any, type_: str) -> str:
        """A plain value (a number, a flag, a raster's hex text) as ``type_``."""
        if self.permission and is_session_var(raw):
            return f"({self.c.params.session(str(raw))}::text)::{type_}"
        return self.c.params.text(raw, type_)

    def _spatial(self, ref: str, op: str, raw: Any, col: Column) -> str:
        """PostGIS operators: ``ST_*(column, value[, ...])`` as Hasura calls them."""
        fn = _ST_OPS[op]
        if op == "_st_intersects_rast":
            return f"{fn}({ref}, {self._scalar(raw, 'raster')})"
        if op in ("_st_intersects_nband_geom", "_st_intersects_geom_nband"):
            spec = self.c.values.concrete(raw) or {}
            geom = self._geometry(spec.get("geommin"), "geometry")
            nband = spec.get("nband")
            band = "NULL::integer" if nband is None else self._scalar(nband, "integer")
            if op == "_st_intersects_nband_geom":
                return f"{fn}({ref}, {band}, {geom})"
            return f"{fn}({ref}, {geom}, {band})"
        if op in ("_st_d_within", "_st_3d_d_within"):
            spec = self.c.values.concrete(raw) or {}
            args = [ref, self._geometry(spec.get("from"), col.type),
                    self._scalar(spec.get("distance"), "float8")]
            if spec.get("use_spheroid") is not None and col.base == "geography":
                args.append(self._scalar(spec.get("use_spheroid"), "boolean"))
            return f"{fn}({', '.join(args)})"
        return f"{fn}({ref}, {self._geometry(raw, col.type)})"

    def _cast(self, info: TableInfo, alias: str, column: str, ref: str, raw: Any, col: Column,
              path: str) -> str:
        """``_cast: {<type>: <comparison>}``: compare the column cast to another type."""
        spec = self.c.values.concrete(raw)
        if not isinstance(spec, dict):
            raise validation("expected an object for a cast expression", path)
        parts = []
        for target, ops in spec.items():
            sql_type = CASTS[col.base].get(target)
            if sql_type is None:
                raise validation(f"field '{target}' not found in type: "
                                 f"'{scalar_name(col)}_cast_exp'", f"{path}.{target}")
            cast_col = Column(col.name, sql_type, sql_type, True, False)
            parts.append(self._column(info, alias, column, ops, f"{path}.{target}",
                                      ref=f"({ref})::{sql_type}", col=cast_col))
        return "(" + " AND ".join(parts) + ")" if parts else "true"

    def _plain(self, raw: Any) -> str:
        if self.permission and is_session_var(raw):
            return f"{self.c.params.session(raw)}::text"
        return f"{self.c.params.add(raw)}::text"

    def _in(self, info: TableInfo, column: str, ref: str, raw: Any, negate: bool,
            col: Column) -> str:
        if self.permission and is_session_var(raw):
            arr = f"({self.c.params.session(raw)}::text)::{col.type}[]"
        else:
            value = raw.value if isinstance(raw, VarRef) else raw
            if isinstance(value, list) and not value:
                self.c.values.concrete(raw)
                return "true" if negate else "false"
            if isinstance(value, list) and any(is_session_var(v) for v in value) \
                    and self.permission:
                items = [self._value(info, column, v, col.type, col) for v in value]
                arr = "ARRAY[" + ", ".join(items) + "]"
            else:
                arr = f"({self.c.params.add(raw, to_text_list)}::text[])::{col.type}[]"
        return f"NOT ({ref} = ANY({arr}))" if negate else f"{ref} = ANY({arr})"

    def _column_ref(self, info: TableInfo, alias: str, raw: Any) -> str:
        if isinstance(raw, list):
            if raw and raw[0] == "$":
                return f"{self.root_alias}.{quote(str(raw[-1]))}"
            return f"{alias}.{quote(str(raw[-1]))}"
        return f"{alias}.{quote(str(raw))}"
