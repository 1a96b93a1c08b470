"""Enum tables: their rows become the values of a GraphQL enum."""

from __future__ import annotations

import asyncpg

from engine.catalog.db import Connection
from engine.catalog.model import quote
from engine.graphql.model import Model


async def load_enum_values(conn: Connection, model: Model) -> None:
    """Read the rows of enum tables (the first primary key column, and ``comment`` if any)."""
    for info in model.tables.values():
        if not info.is_enum or not info.table.primary_key:
            continue
        value_col = info.table.primary_key[0]
        comment = "comment" if "comment" in info.table.columns else None
        sql = (f"SELECT {quote(value_col)}::text, "
               f"{quote(comment) + '::text' if comment else 'NULL'} FROM {info.table.qualified}")
        try:
            rows = await conn.fetch(sql)
        except asyncpg.PostgresError as exc:
            model.inconsistencies.append({"type": "table", "name": info.table.name,
                                          "reason": str(exc), "definition": info.name})
            continue
        info.enum_values = [(r[0], r[1]) for r in rows]
