"""``get_catalog_state`` / ``set_catalog_state``: where the Hasura CLI and console keep state.

Hasura stores both in the one row of ``hdb_catalog.hdb_version``: ``cli_state`` (applied
migrations per database, CLI settings) and ``console_state`` (the console's notices). The
CLI reads the whole document, changes it and writes it back with ``{"type": "cli",
"state": {...}}``; the answer to a get is ``{"id": <hasura_uuid>, "cli_state": {...},
"console_state": {...}}``. ``devstack migrate`` reads and writes the same column.
"""

from __future__ import annotations

from typing import Any

import orjson

from engine.metadata.context import OpContext
from engine.metadata.errors import parse_failed
from engine.metadata.ops import register

_COLUMNS = {"cli": "cli_state", "console": "console_state"}


@register("get_catalog_state", apis=("metadata",))
async def get_catalog_state(ctx: OpContext, args: Any) -> dict[str, Any]:
    """The server's id and both state documents."""
    row = await ctx.conn.fetchrow(
        "SELECT hasura_uuid::text, cli_state::text, console_state::text "
        "FROM hdb_catalog.hdb_version LIMIT 1"
    )
    if row is None:
        return {"id": None, "cli_state": {}, "console_state": {}}
    return {"id": row[0], "cli_state": orjson.loads(row[1]),
            "console_state": orjson.loads(row[2])}


@register("set_catalog_state", apis=("metadata",))
async def set_catalog_state(ctx: OpContext, args: Any) -> dict[str, str]:
    """Replace the ``cli`` or ``console`` state document with ``args.state``."""
    if not isinstance(args, dict):
        raise parse_failed("expecting an object for set_catalog_state")
    kind = args.get("type")
    if kind not in _COLUMNS:
        raise parse_failed(f"expecting \"cli\" or \"console\" for \"type\", not {kind!r}",
                           f"{ctx.path}.type")
    if "state" not in args:
        raise parse_failed("key \"state\" not found")
    column = _COLUMNS[kind]
    await ctx.conn.execute(
        f"UPDATE hdb_catalog.hdb_version SET {column} = $1::text::jsonb",  # noqa: S608 - column from a fixed map
        orjson.dumps(args["state"]).decode(),
    )
    return {"message": "success"}
