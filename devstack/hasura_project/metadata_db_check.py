"""Check metadata against a live database: what it tracks must exist there.

Every tracked table, every column named in permissions, presets and event triggers, every
relationship's foreign key or manual column mapping, and the shape of enum tables. Each
problem names the file and the path inside it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import psycopg

from devstack.hasura_project.metadata_dir import JsonPath, MetadataDocument
from devstack.hasura_project.problems import Problem

QualifiedName = tuple[str, str]

_BOOL_OPERATORS = {"_and", "_or"}


@dataclass
class Catalog:
    """The parts of a database's catalog that metadata refers to."""

    columns: dict[QualifiedName, dict[str, str]] = field(default_factory=dict)
    """table → column → data type."""
    primary_keys: dict[QualifiedName, list[str]] = field(default_factory=dict)
    foreign_keys: list[tuple[QualifiedName, tuple[str, ...], QualifiedName, tuple[str, ...]]] = (
        field(default_factory=list)
    )
    """(table, columns, referenced table, referenced columns)."""

    def has_fk(self, table: QualifiedName, columns: tuple[str, ...],
               target: QualifiedName | None = None) -> bool:
        """Whether ``table(columns)`` has a foreign key (to ``target`` when given)."""
        return any(
            t == table and set(cols) == set(columns) and (target is None or ref == target)
            for t, cols, ref, _ in self.foreign_keys
        )


_COLUMNS_SQL = """
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""
_KEYS_SQL = """
SELECT con.contype, n.nspname, c.relname,
       ARRAY(SELECT attname FROM pg_attribute
             WHERE attrelid = con.conrelid AND attnum = ANY (con.conkey)) AS cols,
       rn.nspname, rc.relname,
       ARRAY(SELECT attname FROM pg_attribute
             WHERE attrelid = con.confrelid AND attnum = ANY (con.confkey)) AS ref_cols
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'f')
"""


def load_catalog(database_url: str) -> Catalog:
    """Read tables, columns, primary and foreign keys of every user schema."""
    catalog = Catalog()
    columns: dict[QualifiedName, dict[str, str]] = defaultdict(dict)
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        for schema, table, column, data_type in conn.execute(_COLUMNS_SQL):
            columns[(schema, table)][column] = data_type
        for kind, schema, table, cols, ref_schema, ref_table, ref_cols in conn.execute(_KEYS_SQL):
            if kind == "p":
                catalog.primary_keys[(schema, table)] = list(cols)
            else:
                catalog.foreign_keys.append(
                    ((schema, table), tuple(cols), (ref_schema, ref_table), tuple(ref_cols))
                )
    catalog.columns = dict(columns)
    return catalog


def qualified(value: Any) -> QualifiedName:
    """``{"schema": s, "name": n}`` or ``"n"`` as ``(schema, name)``."""
    if isinstance(value, str):
        return ("public", value)
    return (str(value.get("schema", "public")), str(value.get("name")))


def _show(table: QualifiedName) -> str:
    return f"{table[0]}.{table[1]}"


class _TableChecker:
    def __init__(self, document: MetadataDocument, catalog: Catalog) -> None:
        self.document = document
        self.catalog = catalog
        self.problems: list[Problem] = []
        # Relationship names of every tracked table, for walking permission filters.
        self.relationships: dict[QualifiedName, dict[str, QualifiedName | None]] = {}

    def report(self, path: JsonPath, message: str) -> None:
        file, inner = self.document.locate(path)
        self.problems.append(Problem(file, inner, message, "database"))

    def check_source(self, source_index: int, source: dict[str, Any]) -> None:
        tables = source.get("tables") or []
        for table in tables:
            name = qualified(table.get("table", {}))
            self.relationships[name] = {
                rel.get("name"): self._rel_target(name, rel, kind)
                for kind in ("object_relationships", "array_relationships")
                for rel in table.get(kind) or []
            }
        for index, table in enumerate(tables):
            self.check_table(("sources", source_index, "tables", index), table)

    def _rel_target(
        self, table: QualifiedName, rel: dict[str, Any], kind: str
    ) -> QualifiedName | None:
        using = rel.get("using") or {}
        manual = using.get("manual_configuration")
        if isinstance(manual, dict) and "remote_table" in manual:
            return qualified(manual["remote_table"])
        fk = using.get("foreign_key_constraint_on")
        if isinstance(fk, dict) and "table" in fk:
            return qualified(fk["table"])
        if kind == "object_relationships" and fk is not None:
            columns = (fk,) if isinstance(fk, str) else tuple(_fk_columns(fk))
            for t, cols, ref, _ in self.catalog.foreign_keys:
                if t == table and set(cols) == set(columns):
                    return ref
        return None

    def columns_of(self, table: QualifiedName) -> dict[str, str]:
        return self.catalog.columns.get(table, {})

    def check_table(self, at: JsonPath, table: dict[str, Any]) -> None:
        name = qualified(table.get("table", {}))
        if name not in self.catalog.columns:
            self.report((*at, "table"), f"table {_show(name)} does not exist in the database")
            return
        columns = self.columns_of(name)
        if table.get("is_enum"):
            self._check_enum((*at, "is_enum"), name)
        for kind in ("object_relationships", "array_relationships"):
            for index, rel in enumerate(table.get(kind) or []):
                self._check_relationship((*at, kind, index), name, rel, kind)
                if rel.get("name") in columns:
                    self.report((*at, kind, index, "name"),
                                f"relationship {rel.get('name')!r} clashes with a column of "
                                f"{_show(name)}")
        for kind in ("insert_permissions", "select_permissions", "update_permissions",
                     "delete_permissions"):
            for index, perm in enumerate(table.get(kind) or []):
                self._check_permission((*at, kind, index, "permission"), name,
                                       perm.get("permission") or {})
        for index, trigger in enumerate(table.get("event_triggers") or []):
            definition = trigger.get("definition") or {}
            for op in ("insert", "update", "delete"):
                cols = (definition.get(op) or {}).get("columns")
                self._check_columns((*at, "event_triggers", index, "definition", op, "columns"),
                                    name, cols)

    def _check_enum(self, at: JsonPath, name: QualifiedName) -> None:
        columns = self.columns_of(name)
        pk = self.catalog.primary_keys.get(name, [])
        if len(pk) != 1 or columns.get(pk[0]) != "text":
            self.report(at, f"enum table {_show(name)} needs a single-column text primary key")
            return
        extra = set(columns) - {pk[0], "comment"}
        if extra:
            self.report(at, f"enum table {_show(name)} may only have its key and a comment "
                            f"column; also has {', '.join(sorted(extra))}")

    def _check_columns(self, at: JsonPath, table: QualifiedName, cols: Any) -> None:
        if cols is None or cols == "*":
            return
        known = self.columns_of(table)
        for index, col in enumerate(cols if isinstance(cols, list) else [cols]):
            if col not in known:
                self.report((*at, index) if isinstance(cols, list) else at,
                            f"column {col!r} does not exist in {_show(table)}")

    def _check_relationship(self, at: JsonPath, table: QualifiedName, rel: dict[str, Any],
                            kind: str) -> None:
        using = rel.get("using") or {}
        manual = using.get("manual_configuration")
        if isinstance(manual, dict):
            remote = qualified(manual.get("remote_table", {}))
            path = (*at, "using", "manual_configuration")
            if remote not in self.catalog.columns:
                self.report((*path, "remote_table"),
                            f"remote table {_show(remote)} does not exist in the database")
                return
            for local, other in (manual.get("column_mapping") or {}).items():
                if local not in self.columns_of(table):
                    self.report((*path, "column_mapping", local),
                                f"column {local!r} does not exist in {_show(table)}")
                if other not in self.columns_of(remote):
                    self.report((*path, "column_mapping", local),
                                f"column {other!r} does not exist in {_show(remote)}")
            return
        fk = using.get("foreign_key_constraint_on")
        path = (*at, "using", "foreign_key_constraint_on")
        if fk is None:
            self.report((*at, "using"),
                        "neither foreign_key_constraint_on nor manual_configuration")
            return
        if isinstance(fk, dict) and "table" in fk:
            remote = qualified(fk["table"])
            if remote not in self.catalog.columns:
                self.report((*path, "table"),
                            f"table {_show(remote)} does not exist in the database")
                return
            columns = tuple(_fk_columns(fk))
            missing = [c for c in columns if c not in self.columns_of(remote)]
            if missing:
                self.report(path, f"column(s) {', '.join(missing)} do not exist in {_show(remote)}")
            elif not self.catalog.has_fk(remote, columns, table):
                self.report(path, f"no foreign key on {_show(remote)}({', '.join(columns)}) "
                                  f"referencing {_show(table)}")
            return
        if kind == "array_relationships":
            self.report(path, "an array relationship names the remote table and its column(s)")
            return
        columns = (fk,) if isinstance(fk, str) else tuple(_fk_columns(fk))
        missing = [c for c in columns if c not in self.columns_of(table)]
        if missing:
            self.report(path, f"column(s) {', '.join(missing)} do not exist in {_show(table)}")
        elif not self.catalog.has_fk(table, columns):
            self.report(path, f"no foreign key on {_show(table)}({', '.join(columns)})")

    def _check_permission(self, at: JsonPath, table: QualifiedName,
                          permission: dict[str, Any]) -> None:
        self._check_columns((*at, "columns"), table, permission.get("columns"))
        for key in (permission.get("set") or {}):
            if key not in self.columns_of(table):
                self.report((*at, "set", key), f"column {key!r} does not exist in {_show(table)}")
        for key in ("filter", "check"):
            if key in permission and permission[key] is not None:
                self._check_bool_exp((*at, key), table, permission[key])

    def _check_bool_exp(self, at: JsonPath, table: QualifiedName | None, expression: Any) -> None:
        if table is None or not isinstance(expression, dict):
            return
        columns = self.columns_of(table)
        relationships = self.relationships.get(table, {})
        for key, value in expression.items():
            path = (*at, key)
            if key in _BOOL_OPERATORS:
                for index, item in enumerate(value if isinstance(value, list) else []):
                    self._check_bool_exp((*path, index), table, item)
            elif key == "_not":
                self._check_bool_exp(path, table, value)
            elif key == "_exists":
                other = qualified((value or {}).get("_table", {}))
                if other not in self.catalog.columns:
                    self.report((*path, "_table"), f"table {_show(other)} does not exist")
                else:
                    self._check_bool_exp((*path, "_where"), other, (value or {}).get("_where"))
            elif key in relationships:
                self._check_bool_exp(path, relationships[key], value)
            elif key not in columns:
                self.report(path, f"{key!r} is neither a column nor a relationship of "
                                  f"{_show(table)}")


def _fk_columns(fk: dict[str, Any]) -> list[str]:
    if "columns" in fk:
        return [str(c) for c in fk["columns"]]
    return [str(fk.get("column"))]


def validate(document: MetadataDocument, database_url: str,
             source: str = "default") -> list[Problem]:
    """Problems of ``source``'s tracked tables against the database at ``database_url``."""
    catalog = load_catalog(database_url)
    checker = _TableChecker(document, catalog)
    for index, entry in enumerate(document.metadata.get("sources") or []):
        if entry.get("name") == source:
            checker.check_source(index, entry)
    return checker.problems
