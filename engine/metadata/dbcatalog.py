"""What the database holds, as far as metadata consistency needs it.

A light introspection (tables and views with their columns, foreign keys, functions) run
on the request's own connection, so operations in one ``bulk`` see tables created by an
earlier ``run_sql`` of the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

DbConnection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
"""A connection, whether held directly or borrowed from a pool."""

_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "hdb_catalog")

_TABLES = """
SELECT n.nspname, c.relname,
       coalesce(array_agg(a.attname::text ORDER BY a.attnum)
                FILTER (WHERE a.attnum > 0 AND NOT a.attisdropped), '{}')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p')
  AND n.nspname <> ALL($1::text[])
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
GROUP BY n.nspname, c.relname
"""

_FOREIGN_KEYS = """
SELECT sn.nspname, sc.relname, tn.nspname, tc.relname, con.conname,
       array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.ord),
       array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.ord)
FROM pg_constraint con
JOIN pg_class sc ON sc.oid = con.conrelid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
JOIN pg_class tc ON tc.oid = con.confrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
WHERE con.contype = 'f'
"""

_FUNCTIONS = """
SELECT n.nspname, p.proname, p.provolatile = 'v', p.proargnames, p.proargmodes::text[],
       ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY
             AS a(t, i) ORDER BY i)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname <> ALL($1::text[]) AND p.prokind = 'f'
"""


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key: ``columns`` of ``table`` reference ``ref_columns`` of ``ref_table``."""

    table: tuple[str, str]
    ref_table: tuple[str, str]
    name: str
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]


@dataclass
class DbCatalog:
    """Tables (with their columns), foreign keys and functions of the database."""

    tables: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    functions: set[tuple[str, str]] = field(default_factory=set)
    volatile: set[tuple[str, str]] = field(default_factory=set)
    """Functions marked ``VOLATILE``."""
    overloaded: set[tuple[str, str]] = field(default_factory=set)
    """Function names several functions share."""
    inputs: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    """Each function's input arguments: name (empty when unnamed) and type."""

    def has_table(self, table: tuple[str, str]) -> bool:
        """Whether a table or view of that name exists."""
        return table in self.tables

    def columns(self, table: tuple[str, str]) -> list[str]:
        """The table's columns in order (empty for a missing table)."""
        return self.tables.get(table, [])

    def foreign_key(
        self, table: tuple[str, str], columns: tuple[str, ...],
        ref_table: tuple[str, str] | None = None,
    ) -> ForeignKey | None:
        """A foreign key of ``table`` on exactly ``columns`` (to ``ref_table`` if given)."""
        for fk in self.foreign_keys:
            if fk.table == table and set(fk.columns) == set(columns) and (
                ref_table is None or fk.ref_table == ref_table
            ):
                return fk
        return None


async def introspect(conn: DbConnection) -> DbCatalog:
    """Read the catalog through ``conn``."""
    catalog = DbCatalog()
    for schema, name, columns in await conn.fetch(_TABLES, list(_SYSTEM_SCHEMAS)):
        catalog.tables[(schema, name)] = list(columns)
    for row in await conn.fetch(_FOREIGN_KEYS):
        catalog.foreign_keys.append(ForeignKey(
            table=(row[0], row[1]), ref_table=(row[2], row[3]), name=row[4],
            columns=tuple(row[5]), ref_columns=tuple(row[6]),
        ))
    rows = await conn.fetch(_FUNCTIONS, list(_SYSTEM_SCHEMAS))
    for schema, name, volatile, names, modes, types in rows:
        key = (schema, name)
        if key in catalog.functions:
            catalog.overloaded.add(key)
        catalog.functions.add(key)
        if volatile:
            catalog.volatile.add(key)
        catalog.inputs[key] = _inputs(names, modes, types)
    return catalog


def _inputs(names: list[str] | None, modes: list[str] | None,
            types: list[str]) -> list[tuple[str, str]]:
    """The input arguments of a function (``proargnames`` also names its OUT arguments)."""
    if modes:
        names = [n for n, m in zip(names or [""] * len(modes), modes, strict=False)
                 if m in ("i", "b", "v")]
    names = list(names or [])
    return [(names[i] if i < len(names) else "", type_) for i, type_ in enumerate(types)]
