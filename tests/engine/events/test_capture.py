"""Capture: PostgreSQL triggers write events in the same transaction as the change."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from engine.events.capture import sync_capture
from engine.events.catalog import ensure_event_catalog
from engine.events.config import EventTriggerConfigError, event_triggers_from_metadata
from tests.engine.events.conftest import metadata_with, trigger


async def install(pool: asyncpg.Pool, *defs: dict[str, object]) -> None:
    async with pool.acquire() as conn:
        await ensure_event_catalog(conn)
        await sync_capture(conn, event_triggers_from_metadata(metadata_with(*defs)).values())


async def events(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT trigger_name, payload::text AS payload FROM hdb_catalog.event_log "
        "ORDER BY created_at"
    )
    return [{"trigger": r["trigger_name"], **json.loads(r["payload"])} for r in rows]


async def test_capture_insert_update_delete_with_session_variables(pool: asyncpg.Pool) -> None:
    """GIVEN a trigger on insert, update(balance) and delete.

    WHEN a transaction with session variables inserts, updates and deletes a row
    THEN three events carry the old/new rows and the session variables.
    """
    await install(pool, trigger("acc", "http://127.0.0.1:1/hook"))
    session = {"x-hasura-role": "user", "x-hasura-user-id": "u1"}
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('hasura.user', $1, true)", json.dumps(session))
        await conn.execute("INSERT INTO accounts (id, owner, balance) VALUES (1, 'ann', 10)")
        await conn.execute("UPDATE accounts SET balance = 15 WHERE id = 1")
        await conn.execute("DELETE FROM accounts WHERE id = 1")

    found = await events(pool)

    assert [e["op"] for e in found] == ["INSERT", "UPDATE", "DELETE"]
    row10 = {"id": 1, "owner": "ann", "balance": 10, "note": None}
    row15 = {**row10, "balance": 15}
    assert found[0]["data"] == {"old": None, "new": row10}
    assert found[1]["data"] == {"old": row10, "new": row15}
    assert found[2]["data"] == {"old": row15, "new": None}
    assert all(e["session_variables"] == session for e in found)


async def test_capture_update_only_when_a_watched_column_changes(pool: asyncpg.Pool) -> None:
    """GIVEN an update trigger watching only ``balance``.

    WHEN a row's note changes, then its balance
    THEN only the balance change is captured.
    """
    await install(pool, trigger("acc", "http://127.0.0.1:1/hook",
                                definition={"update": {"columns": ["balance"]}}))
    await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")
    await pool.execute("UPDATE accounts SET note = 'vip' WHERE id = 1")
    await pool.execute("UPDATE accounts SET balance = 3 WHERE id = 1")

    found = await events(pool)

    assert len(found) == 1
    assert found[0]["data"]["new"]["balance"] == 3


async def test_capture_rolled_back_change_leaves_no_event(pool: asyncpg.Pool) -> None:
    """GIVEN an insert trigger.

    WHEN the inserting transaction rolls back
    THEN no event exists (capture shares the change's transaction).
    """
    await install(pool, trigger("acc", "http://127.0.0.1:1/hook"))
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(
                "INSERT INTO accounts (id, owner) VALUES (1, 'ann'), (1, 'bob')"
            )

    assert await events(pool) == []


async def test_capture_sync_is_idempotent_and_drops_removed_triggers(pool: asyncpg.Pool) -> None:
    """GIVEN installed triggers.

    WHEN the same metadata is applied twice, then a metadata without the trigger
    THEN the table keeps one trigger per operation, then none, and captures nothing.
    """
    definition = trigger("acc", "http://127.0.0.1:1/hook")
    await install(pool, definition)
    await install(pool, definition)
    count_sql = (
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.accounts'::regclass "
        "AND NOT tgisinternal"
    )
    assert await pool.fetchval(count_sql) == 3
    assert await pool.fetchval(
        "SELECT count(*) FROM pg_trigger WHERE tgname = 'notify_hasura_acc_INSERT'"
    ) == 1

    await install(pool)
    await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")

    assert await pool.fetchval(count_sql) == 0
    assert await events(pool) == []


async def test_capture_changed_definition_replaces_the_trigger(pool: asyncpg.Pool) -> None:
    """GIVEN a trigger capturing inserts.

    WHEN its definition changes to deletes only
    THEN inserts are no longer captured and deletes are.
    """
    await install(pool, trigger("acc", "http://127.0.0.1:1/h",
                                definition={"insert": {"columns": "*"}}))
    await install(pool, trigger("acc", "http://127.0.0.1:1/h",
                                definition={"delete": {"columns": "*"}}))
    await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")
    await pool.execute("DELETE FROM accounts WHERE id = 1")

    assert [e["op"] for e in await events(pool)] == ["DELETE"]


async def test_capture_unknown_column_is_rejected(pool: asyncpg.Pool) -> None:
    """GIVEN an update trigger watching a column the table lacks.

    WHEN it is installed
    THEN it fails naming the column.
    """
    with pytest.raises(EventTriggerConfigError, match="nope"):
        await install(pool, trigger("acc", "http://127.0.0.1:1/h",
                                    definition={"update": {"columns": ["nope"]}}))
