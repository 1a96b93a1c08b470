"""Read tables, views, columns and constraints from pg_catalog in a few queries."""

from __future__ import annotations

from typing import Any

from engine.catalog.db import Connection
from engine.catalog.model import Argument, Catalog, Column, ForeignKey, Function, Table

_SKIP_SCHEMAS = ("pg_catalog", "information_schema", "hdb_catalog", "pg_toast")

_TABLES = """
SELECT c.oid, n.nspname, c.relname, c.relkind::text,
       pg_relation_is_updatable(c.oid, true) AS upd, obj_description(c.oid, 'pg_class') AS comment,
       c.relrowsecurity AS rls
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND n.nspname <> ALL($1::text[]) AND n.nspname NOT LIKE 'pg_temp%'
"""

_COLUMNS = """
SELECT a.attrelid, a.attname, a.attnum, NOT a.attnotnull AS nullable,
       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '' AS has_default,
       a.attgenerated <> '' AS generated,
       tn.nspname AS tschema, t.typname, t.typcategory::text AS cat,
       en.nspname AS eschema, et.typname AS ename, col_description(a.attrelid, a.attnum) AS comment
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_namespace en ON en.oid = et.typnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND n.nspname <> ALL($1::text[]) AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY a.attrelid, a.attnum
"""

_CONSTRAINTS = """
SELECT con.conrelid, con.conname, con.contype::text,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n
             ORDER BY k.i)::text[] AS cols,
       rn.nspname AS rschema, rc.relname AS rtable,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n
             ORDER BY k.i)::text[] AS rcols,
       con.convalidated AND NOT con.condeferrable AS enforced
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f')
  AND n.nspname <> ALL($1::text[])
ORDER BY con.conname
"""

_FUNCTIONS = """
SELECT n.nspname, p.proname, p.proretset, rn.nspname AS rschema, rt.typname AS rtype,
       p.provolatile = 'v' AS volatile, obj_description(p.oid, 'pg_proc') AS comment,
       rt.typrelid <> 0 AS returns_row,
       coalesce(p.proargnames, '{}')::text[] AS argnames, p.pronargdefaults AS ndefaults,
       ARRAY(SELECT tn.nspname FROM unnest(p.proargtypes) WITH ORDINALITY u(o, i)
             JOIN pg_type t ON t.oid = u.o JOIN pg_namespace tn ON tn.oid = t.typnamespace
             ORDER BY u.i)::text[] AS argschemas,
       ARRAY(SELECT t.typname FROM unnest(p.proargtypes) WITH ORDINALITY u(o, i)
             JOIN pg_type t ON t.oid = u.o ORDER BY u.i)::text[] AS argtypes,
       ARRAY(SELECT t.typrelid <> 0 FROM unnest(p.proargtypes) WITH ORDINALITY u(o, i)
             JOIN pg_type t ON t.oid = u.o ORDER BY u.i)::bool[] AS argcomposite
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_type rt ON rt.oid = p.prorettype
JOIN pg_namespace rn ON rn.oid = rt.typnamespace
WHERE p.prokind = 'f' AND n.nspname <> ALL($1::text[]) AND n.nspname NOT LIKE 'pg_temp%'
"""


def _type_name(schema: str, name: str) -> str:
    if schema == "pg_catalog":
        return name
    return f'"{schema}"."{name}"'


async def introspect(conn: Connection) -> Catalog:
    """Read the catalog of every user schema."""
    skip = list(_SKIP_SCHEMAS)
    tables: dict[int, Table] = {}
    for row in await conn.fetch(_TABLES, skip):
        kind = row["relkind"]
        upd = int(row["upd"])
        tables[row["oid"]] = Table(
            schema=row["nspname"], name=row["relname"], kind=kind,
            insertable=kind in ("r", "p") or bool(upd & 8),
            updatable=kind in ("r", "p") or bool(upd & 4),
            deletable=kind in ("r", "p") or bool(upd & 16), comment=row["comment"],
            row_security=bool(row["rls"]),
        )
    for row in await conn.fetch(_COLUMNS, skip):
        table = tables.get(row["attrelid"])
        if table is None:
            continue
        is_array = row["cat"] == "A"
        element = _type_name(row["eschema"], row["ename"]) if is_array and row["ename"] else ""
        table.columns[row["attname"]] = Column(
            name=row["attname"], type=_type_name(row["tschema"], row["typname"]),
            base=row["typname"], nullable=row["nullable"], has_default=row["has_default"],
            is_array=is_array, element=element, generated=row["generated"],
            position=row["attnum"], comment=row["comment"],
        )
    for row in await conn.fetch(_CONSTRAINTS, skip):
        table = tables.get(row["conrelid"])
        if table is None:
            continue
        cols = tuple(row["cols"])
        if row["contype"] == "p":
            table.primary_key = cols
            table.primary_key_name = row["conname"]
            table.unique[row["conname"]] = cols
        elif row["contype"] == "u":
            table.unique[row["conname"]] = cols
        else:
            table.foreign_keys.append(ForeignKey(
                row["conname"], cols, row["rschema"], row["rtable"], tuple(row["rcols"]),
                enforced=bool(row["enforced"])))
    exts: list[Any] = await conn.fetch("SELECT extname FROM pg_extension")
    functions: dict[tuple[str, str], Function] = {}
    for row in await conn.fetch(_FUNCTIONS, skip):
        names = list(row["argnames"])
        count = len(row["argtypes"])
        unnamed = 0
        arguments = []
        for i, (sch, typ) in enumerate(zip(row["argschemas"], row["argtypes"], strict=True)):
            name = names[i] if i < len(names) else ""
            if not name:
                # Hasura numbers the unnamed arguments among themselves: arg_1, arg_2, ...
                unnamed += 1
            arguments.append(Argument(
                name or f"arg_{unnamed}", _type_name(sch, typ), typ, sch,
                bool(row["argcomposite"][i]), has_default=i >= count - row["ndefaults"],
                unnamed=not name))
        args = tuple(arguments)
        functions[(row["nspname"], row["proname"])] = Function(
            row["nspname"], row["proname"], row["proretset"], row["rschema"], row["rtype"],
            row["returns_row"], args, row["volatile"], row["comment"])
    return Catalog(
        tables={(t.schema, t.name): t for t in tables.values()},
        extensions=frozenset(r["extname"] for r in exts),
        functions=functions,
    )
