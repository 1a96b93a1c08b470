"""Whether tables marked ``is_enum`` can be enum tables, checked as Hasura checks them.

An enum table has a single-column ``text`` primary key, at most one other column (the
comment), and rows whose values are valid GraphQL enum value names.
"""

from __future__ import annotations

import re

from engine.metadata import model
from engine.metadata.dbcatalog import DbConnection

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
_TABLE = """
SELECT a.attname::text, format_type(a.atttypid, NULL), coalesce(a.attnum = ANY(i.indkey), false)
FROM pg_attribute a
LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attname
"""


def _quoted(qn: model.QualifiedName) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in (qn["schema"], qn["name"]))


async def table_problem(conn: DbConnection, qn: model.QualifiedName) -> str | None:
    """Why the table cannot be an enum table (None when it can, or does not exist)."""
    try:
        rows = await conn.fetch(_TABLE, _quoted(qn))
    except Exception:  # a missing table is reported by the consistency check itself
        return None
    shown = model.show(qn)
    pk = [(name, type_) for name, type_, is_pk in rows if is_pk]
    reasons = []
    if len(pk) != 1:
        reasons.append("the table must have a primary key consisting of a single column")
    elif pk[0][1] != "text":
        # Hasura's message has a typographic apostrophe.
        reasons.append(f"the table\u2019s primary key (\"{pk[0][0]}\") must have type \"text\", "
                       f"not type \"{pk[0][1]}\"")
    if len(rows) > 2:
        listed = ", ".join(name for name, _, _ in rows)
        reasons.append("the table must have exactly one primary key and optionally one comment "
                       f"column, not {len(rows)} columns ({listed})")
    if reasons:
        if len(reasons) == 1:
            return f"the table \"{shown}\" cannot be used as an enum because {reasons[0]}"
        items = "".join(f"  • {r}\n" for r in reasons)
        return (f"the table \"{shown}\" cannot be used as an enum for the following "
                f"reasons:\n{items}")
    values = [r[0] for r in await conn.fetch(
        f"SELECT {_ident(pk[0][0])}::text FROM {_quoted(qn)}")]  # noqa: S608
    if not values:
        return f"the table \"{shown}\" cannot be used as an enum because the table must have " \
            "at least one row"
    bad = [v for v in values if v is None or not _NAME.match(v)]
    if bad:
        return (f"the table \"{shown}\" cannot be used as an enum because the value "
                f"\"{bad[0]}\" is not a valid GraphQL enum value name")
    return None


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def problems(conn: DbConnection, metadata: model.Metadata) -> dict[tuple[str, str], str]:
    """Why each table marked ``is_enum`` in the default source cannot be one."""
    out: dict[tuple[str, str], str] = {}
    for source in model.sources(metadata):
        if source.get("name", model.DEFAULT_SOURCE) != model.DEFAULT_SOURCE:
            continue
        for table in model.tables(source):
            if not table.get("is_enum"):
                continue
            qn = model.qualified(table["table"])
            reason = await table_problem(conn, qn)
            if reason:
                out[model.key(qn)] = reason
    return out

