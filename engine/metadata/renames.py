"""Renames done by ``run_sql`` carried into the metadata, as Hasura carries them.

Before the SQL runs, the tracked tables are identified by their OIDs and their columns by
attribute numbers; afterwards a table or column that kept its identity under a new name is
renamed everywhere the metadata mentions it (table entries, relationships, permissions).
A column whose type changed while permissions depend on it is reported, as Hasura refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.metadata import model
from engine.metadata.consistency import relationship_target
from engine.metadata.dbcatalog import DbCatalog, DbConnection
from engine.metadata.errors import MetadataError

Key = tuple[str, str]

_BY_NAME = """
SELECT c.oid, n.nspname::text, c.relname::text, a.attnum, a.attname::text,
       format_type(a.atttypid, a.atttypmod)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE (n.nspname::text, c.relname::text) IN (SELECT * FROM unnest($1::text[], $2::text[]))
"""
_BY_OID = """
SELECT c.oid, n.nspname::text, c.relname::text, a.attnum, a.attname::text,
       format_type(a.atttypid, a.atttypmod)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.oid = ANY($1::oid[])
"""
_PERMISSIONS = ("select_permissions", "insert_permissions", "update_permissions",
                "delete_permissions")


@dataclass
class Snapshot:
    """Tracked tables by OID: their name and their columns by attribute number."""

    tables: dict[int, Key] = field(default_factory=dict)
    columns: dict[int, dict[int, tuple[str, str]]] = field(default_factory=dict)

    def add(self, rows: list[Any]) -> Snapshot:
        """Record rows of ``(oid, schema, table, attnum, column, type)``."""
        for oid, schema, name, attnum, column, type_ in rows:
            self.tables[oid] = (schema, name)
            self.columns.setdefault(oid, {})[attnum] = (column, type_)
        return self


def _tracked(metadata: model.Metadata) -> list[Key]:
    return [model.key(model.qualified(t["table"]))
            for source in model.sources(metadata) for t in model.tables(source)]


async def snapshot(conn: DbConnection, metadata: model.Metadata) -> Snapshot:
    """The tracked tables as the database has them now."""
    keys = _tracked(metadata)
    rows = await conn.fetch(_BY_NAME, [k[0] for k in keys], [k[1] for k in keys])
    return Snapshot().add(list(rows))


async def carry(conn: DbConnection, metadata: model.Metadata, before: Snapshot,
                catalog: DbCatalog) -> bool:
    """Rename in ``metadata`` what the SQL renamed; whether anything changed.

    Raises:
        MetadataError: dependency-error when a column permissions use changed type.
    """
    after = Snapshot().add(list(await conn.fetch(_BY_OID, list(before.tables))))
    tables: dict[Key, Key] = {}
    columns: dict[Key, dict[str, str]] = {}
    for oid, old_key in before.tables.items():
        new_key = after.tables.get(oid)
        if new_key is None:
            continue  # dropped: the consistency check reports it
        if new_key != old_key:
            tables[old_key] = new_key
        for attnum, (old_name, old_type) in before.columns[oid].items():
            now = after.columns.get(oid, {}).get(attnum)
            if now is None:
                continue
            if now[0] != old_name:
                columns.setdefault(new_key, {})[old_name] = now[0]
            elif now[1] != old_type:
                _refuse_type_change(metadata, old_key, old_name)
    if not tables and not columns:
        return False
    _apply(metadata, tables, columns, catalog)
    return True


def _refuse_type_change(metadata: model.Metadata, table: Key, column: str) -> None:
    dependents = []
    for source in model.sources(metadata):
        for entry in model.tables(source):
            if model.key(model.qualified(entry["table"])) != table:
                continue
            for kind in _PERMISSIONS:
                for perm in entry.get(kind, []):
                    if _mentions(perm.get("permission") or {}, column):
                        dependents.append(f"permission {table[1]}.{perm.get('role')}."
                                          f"{kind.split('_')[0]} in source "
                                          f"\"{source.get('name', model.DEFAULT_SOURCE)}\"")
    if dependents:
        raise MetadataError(
            f"cannot change type of column \"{column}\" in table \"{table[1]}\" because of the "
            "following dependencies: " + ", ".join(sorted(dependents)), "dependency-error",
            path="$.args")


def _mentions(spec: dict[str, Any], column: str) -> bool:
    """Whether a permission compares ``column`` with, or presets it to, a constant."""
    if column in (spec.get("set") or {}) and _static(spec["set"][column]):
        return True
    return any(_in_boolexp(spec.get(k), column) for k in ("filter", "check"))


def _static(value: Any) -> bool:
    """Whether a comparison holds a constant (a session variable adapts to any type)."""
    if isinstance(value, dict):
        return any(_static(v) for v in value.values())
    if isinstance(value, list):
        return any(_static(v) for v in value)
    return not (isinstance(value, str) and value.lower().startswith("x-hasura-"))


def _in_boolexp(expr: Any, column: str) -> bool:
    if isinstance(expr, list):
        return any(_in_boolexp(e, column) for e in expr)
    if not isinstance(expr, dict):
        return False
    return any((k == column and _static(v))
               or (k in ("_and", "_or", "_not") and _in_boolexp(v, column))
               for k, v in expr.items())


Targets = dict[Key, dict[str, Key]]
"""Table → relationship name → the table it points at."""


def _rename_boolexp(expr: Any, table: Key, columns: dict[Key, dict[str, str]],
                    targets: Targets) -> Any:
    """A boolean expression on ``table`` with renamed columns, through relationships too."""
    if isinstance(expr, list):
        return [_rename_boolexp(e, table, columns, targets) for e in expr]
    if not isinstance(expr, dict):
        return expr
    cols = columns.get(table, {})
    out = {}
    for k, v in expr.items():
        if k in ("_and", "_or", "_not", "$and", "$or", "$not"):
            out[k] = _rename_boolexp(v, table, columns, targets)
        elif k in targets.get(table, {}):
            out[k] = _rename_boolexp(v, targets[table][k], columns, targets)
        else:
            out[cols.get(k, k)] = v
    return out


def _qualified(key: Key) -> dict[str, str]:
    return {"schema": key[0], "name": key[1]}


def _rename_columns(entry: dict[str, Any], cols: dict[str, str]) -> None:
    config = entry.get("configuration") or {}
    for name in ("custom_column_names", "column_config"):
        if isinstance(config.get(name), dict):
            config[name] = {cols.get(k, k): v for k, v in config[name].items()}
    for kind in _PERMISSIONS:
        for perm in entry.get(kind, []):
            spec = perm.get("permission") or {}
            if isinstance(spec.get("columns"), list):
                spec["columns"] = [cols.get(c, c) for c in spec["columns"]]
            if isinstance(spec.get("set"), dict):
                spec["set"] = {cols.get(k, k): v for k, v in spec["set"].items()}
    for kind in model.RELATIONSHIP_KINDS:
        for rel in entry.get(kind, []):
            using = rel.get("using") or {}
            fk = using.get("foreign_key_constraint_on")
            if isinstance(fk, str):
                using["foreign_key_constraint_on"] = cols.get(fk, fk)
            elif isinstance(fk, list):
                using["foreign_key_constraint_on"] = [cols.get(c, c) for c in fk]
            manual = using.get("manual_configuration")
            if isinstance(manual, dict) and isinstance(manual.get("column_mapping"), dict):
                manual["column_mapping"] = {cols.get(k, k): v
                                            for k, v in manual["column_mapping"].items()}


def _rename_remote(entry: dict[str, Any], tables: dict[Key, Key],
                   columns: dict[Key, dict[str, str]]) -> None:
    """Relationships pointing at a renamed table or at renamed columns of one."""
    for kind in model.RELATIONSHIP_KINDS:
        for rel in entry.get(kind, []):
            using = rel.get("using") or {}
            fk = using.get("foreign_key_constraint_on")
            manual = using.get("manual_configuration")
            if isinstance(fk, dict) and "table" in fk:
                key = model.key(model.qualified(fk["table"]))
                key = tables.get(key, key)
                fk["table"] = _qualified(key) if key in tables.values() else fk["table"]
                cols = columns.get(key, {})
                for name in ("column", "columns"):
                    if isinstance(fk.get(name), str):
                        fk[name] = cols.get(fk[name], fk[name])
                    elif isinstance(fk.get(name), list):
                        fk[name] = [cols.get(c, c) for c in fk[name]]
            elif isinstance(manual, dict) and "remote_table" in manual:
                key = model.key(model.qualified(manual["remote_table"]))
                key = tables.get(key, key)
                if key in tables.values():
                    manual["remote_table"] = _qualified(key)
                cols = columns.get(key, {})
                if isinstance(manual.get("column_mapping"), dict):
                    manual["column_mapping"] = {k: cols.get(v, v)
                                                for k, v in manual["column_mapping"].items()}


def _apply(metadata: model.Metadata, tables: dict[Key, Key],
           columns: dict[Key, dict[str, str]], catalog: DbCatalog) -> None:
    for source in model.sources(metadata):
        for entry in model.tables(source):
            key = model.key(model.qualified(entry["table"]))
            if key in tables:
                key = tables[key]
                entry["table"] = _qualified(key)
            if key in columns:
                _rename_columns(entry, columns[key])
        for entry in model.tables(source):
            _rename_remote(entry, tables, columns)
        targets: Targets = {}
        for entry in model.tables(source):
            qn = model.qualified(entry["table"])
            found = targets.setdefault(model.key(qn), {})
            for kind in model.RELATIONSHIP_KINDS:
                for rel in entry.get(kind, []):
                    target = relationship_target(qn, rel, catalog)
                    if target is not None:
                        found[str(rel.get("name"))] = target
        for entry in model.tables(source):
            key = model.key(model.qualified(entry["table"]))
            for kind in _PERMISSIONS:
                for perm in entry.get(kind, []):
                    spec = perm.get("permission") or {}
                    for name in ("filter", "check"):
                        if name in spec:
                            spec[name] = _rename_boolexp(spec[name], key, columns, targets)
