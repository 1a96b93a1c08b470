"""Invoking an event trigger by hand (``enable_manual``), as the console's "Invoke" does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from engine.events.catalog import Connection
from engine.events.config import MANUAL_OP, EventTrigger


class ManualInvocationError(ValueError):
    """The trigger does not allow manual invocation."""

    code = "not-supported"


async def invoke_manually(
    conn: Connection,
    trigger: EventTrigger,
    row: Mapping[str, Any],
    session_variables: Mapping[str, str] | None = None,
) -> str:
    """Log a ``MANUAL`` event carrying ``row`` as ``data.new``; returns the event id.

    Runs in the caller's transaction, so the event exists only if that transaction commits.
    """
    if not trigger.enable_manual:
        raise ManualInvocationError(f"manual invocation is not enabled for {trigger.name!r}")
    async with conn.transaction():
        if session_variables is not None:
            await conn.execute(
                "SELECT set_config('hasura.user', $1, true)",
                orjson.dumps(dict(session_variables)).decode(),
            )
        event_id = await conn.fetchval(
            "SELECT hdb_catalog.insert_event_log($1, $2, $3, $4, "
            "jsonb_build_object('old', NULL, 'new', $5::jsonb))",
            trigger.schema, trigger.table, trigger.name, MANUAL_OP,
            orjson.dumps(dict(row)).decode(),
        )
    return str(event_id)
