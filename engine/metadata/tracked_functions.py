"""What SQL from ``run_sql`` may not do to tracked functions: overload them, make them VOLATILE.

Hasura compares the tracked functions before and after the SQL (as it does tables) and refuses
(``not-supported``) a new overload of one (``the following tracked function(s) cannot be
overloaded: ...``) and a change of one's volatility to VOLATILE (``type of function "..." is
altered to "VOLATILE" which is not supported now``); the SQL is then rolled back.
"""

from __future__ import annotations

from engine.metadata import model
from engine.metadata.dbcatalog import DbConnection
from engine.metadata.errors import MetadataError

Snapshot = dict[tuple[str, str], tuple[int, str]]
"""Each tracked function's number of overloads and its volatility (``i``, ``s`` or ``v``)."""

_FUNCTIONS = """
SELECT n.nspname::text, p.proname::text, count(*)::int, max(p.provolatile)::text
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN unnest($1::text[], $2::text[]) AS f(s, name) ON f.s = n.nspname AND f.name = p.proname
GROUP BY 1, 2
"""


def _tracked(metadata: model.Metadata) -> list[tuple[str, str]]:
    return [model.key(model.qualified(f.get("function"), "function"))
            for source in model.sources(metadata)
            if source.get("name", model.DEFAULT_SOURCE) == model.DEFAULT_SOURCE
            for f in source.get("functions") or []]


async def snapshot(conn: DbConnection, metadata: model.Metadata) -> Snapshot:
    """The tracked functions as the database has them now."""
    keys = _tracked(metadata)
    if not keys:
        return {}
    rows = await conn.fetch(_FUNCTIONS, [k[0] for k in keys], [k[1] for k in keys])
    return {(schema, name): (count, volatility) for schema, name, count, volatility in rows}


async def check(conn: DbConnection, metadata: model.Metadata, before: Snapshot) -> None:
    """Refuse what the SQL did to the functions of ``before``.

    Raises:
        MetadataError: not-supported, for an overloaded or newly VOLATILE tracked function.
    """
    if not before:
        return
    after = await snapshot(conn, metadata)
    shown = {key: model.show({"schema": key[0], "name": key[1]}) for key in before}
    overloaded = [shown[key] for key in before if after.get(key, (0, ""))[0] > 1]
    if overloaded:
        raise MetadataError("the following tracked function(s) cannot be overloaded: "
                            + ", ".join(overloaded), "not-supported", path="$")
    for key, (_, volatility) in before.items():
        now = after.get(key)
        if now is not None and now[1] != volatility and now[1] == "v":
            raise MetadataError(f"type of function \"{shown[key]}\" is altered to \"VOLATILE\" "
                                "which is not supported now", "not-supported", path="$")
