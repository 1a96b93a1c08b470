"""Delivery: captured events reach the webhook with Hasura's body, retried as configured."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from engine.events.delivery import DeliveryLoop, _open
from engine.events.service import EventTriggerService
from engine.events.store import EventLogStore
from tests.engine.events.conftest import FAST, metadata_with, trigger
from tests.engine.events.recorder import Answer, Received, Script, WebhookRecorder


@asynccontextmanager
async def running(
    pool: asyncpg.Pool, metadata: dict[str, Any], env: dict[str, str] | None = None
) -> AsyncIterator[EventTriggerService]:
    service = EventTriggerService(FAST, env or {})
    await service.start(pool, metadata)
    try:
        yield service
    finally:
        await service.stop()


def failing_first(times: int, answer: Callable[[], Answer] = lambda: Answer(500)) -> Script:
    return lambda n, _r: answer() if n < times else Answer(200)


async def test_delivery_insert_update_delete_bodies(pool: asyncpg.Pool) -> None:
    """GIVEN an event trigger on accounts with a header from the environment.

    WHEN a row is inserted, updated and deleted
    THEN the webhook gets three Hasura event bodies in order, with the header.
    """
    async with WebhookRecorder() as hook:
        definition = trigger(
            "acc", hook.url + "/hook",
            headers=[{"name": "X-Action-Secret", "value_from_env": "SECRET"}],
        )
        async with running(pool, metadata_with(definition), {"SECRET": "s3"}):
            await pool.execute("INSERT INTO accounts (id, owner) VALUES (7, 'ann')")
            await pool.execute("UPDATE accounts SET balance = 2 WHERE id = 7")
            await pool.execute("DELETE FROM accounts WHERE id = 7")
            got = await hook.wait_for(3)

    bodies = [r.json() for r in got]
    assert [b["event"]["op"] for b in bodies] == ["INSERT", "UPDATE", "DELETE"]
    first = bodies[0]
    assert set(first) == {"id", "created_at", "table", "trigger", "event", "delivery_info"}
    assert first["table"] == {"schema": "public", "name": "accounts"}
    assert first["trigger"] == {"name": "acc"}
    assert first["delivery_info"] == {"current_retry": 0, "max_retries": 0}
    assert first["event"]["data"] == {
        "old": None, "new": {"id": 7, "owner": "ann", "balance": 0, "note": None},
    }
    assert set(first["event"]) == {"op", "data", "session_variables", "trace_context"}
    assert bodies[1]["event"]["data"]["old"]["balance"] == 0
    assert bodies[1]["event"]["data"]["new"]["balance"] == 2
    assert bodies[2]["event"]["data"]["new"] is None
    assert all(r.headers["x-action-secret"] == "s3" for r in got)
    assert got[0].path == "/hook"
    delivered = await pool.fetchval(
        "SELECT count(*) FROM hdb_catalog.event_log "
        "WHERE delivered AND tries = 1 AND locked IS NULL"
    )
    assert delivered == 3


async def test_delivery_retries_with_configured_spacing_and_logs_each_try(
    pool: asyncpg.Pool,
) -> None:
    """GIVEN a webhook that fails twice then succeeds and retry_conf 3 retries 1 s apart.

    WHEN a row is inserted
    THEN it is tried three times about 1 s apart, current_retry counts up, and three
    invocation logs record 500, 500, 200.
    """
    async with WebhookRecorder(failing_first(2)) as hook:
        definition = trigger("acc", hook.url, retry_conf={
            "num_retries": 3, "interval_sec": 1, "timeout_sec": 5,
        })
        async with running(pool, metadata_with(definition)):
            await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")
            got = await hook.wait_for(3)
            await asyncio.sleep(0.3)  # let the last outcome be recorded

    gaps = [b.at - a.at for a, b in itertools.pairwise(got)]
    assert all(0.9 <= gap < 3.0 for gap in gaps), gaps
    assert [r.json()["delivery_info"]["current_retry"] for r in got] == [0, 1, 2]
    assert len({r.json()["id"] for r in got}) == 1
    statuses = await pool.fetch(
        "SELECT status FROM hdb_catalog.event_invocation_logs ORDER BY created_at"
    )
    assert [r["status"] for r in statuses] == [500, 500, 200]
    row = await pool.fetchrow("SELECT delivered, error, tries FROM hdb_catalog.event_log")
    assert row is not None
    assert dict(row) == {"delivered": True, "error": False, "tries": 3}


async def test_delivery_honours_retry_after(pool: asyncpg.Pool) -> None:
    """GIVEN a trigger retrying every 1 s and a webhook answering 429 with Retry-After: 2.

    WHEN a row is inserted
    THEN the second try waits about 2 s, not 1 s.
    """
    throttled = failing_first(1, lambda: Answer(429, headers={"Retry-After": "2"}))
    async with WebhookRecorder(throttled) as hook:
        definition = trigger("acc", hook.url, retry_conf={
            "num_retries": 2, "interval_sec": 1, "timeout_sec": 5,
        })
        async with running(pool, metadata_with(definition)):
            await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")
            got = await hook.wait_for(2, timeout=10)

    assert 1.9 <= got[1].at - got[0].at < 4.0


async def test_delivery_gives_up_after_retries_and_marks_error(pool: asyncpg.Pool) -> None:
    """GIVEN a webhook that always fails and one retry allowed.

    WHEN a row is inserted
    THEN it is tried twice, then marked as an error and not tried again.
    """
    async with WebhookRecorder(lambda _n, _r: Answer(503)) as hook:
        definition = trigger("acc", hook.url, retry_conf={
            "num_retries": 1, "interval_sec": 0, "timeout_sec": 5,
        })
        async with running(pool, metadata_with(definition)):
            await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")
            await hook.wait_for(2)
            await asyncio.sleep(0.6)
            tries_seen = len(hook.received)

    assert tries_seen == 2
    row = await pool.fetchrow("SELECT delivered, error, tries FROM hdb_catalog.event_log")
    assert row is not None
    assert dict(row) == {"delivered": False, "error": True, "tries": 2}


async def test_delivery_timeout_counts_as_a_failed_try(pool: asyncpg.Pool) -> None:
    """GIVEN a webhook that answers the first call after the trigger's 1 s timeout.

    WHEN a row is inserted
    THEN the first try is logged as a timeout and the retry succeeds.
    """

    async def slow_first(n: int, _r: Received) -> Answer:
        if n == 0:
            await asyncio.sleep(2)
        return Answer(200)

    async with WebhookRecorder(slow_first) as hook:
        definition = trigger("acc", hook.url, retry_conf={
            "num_retries": 1, "interval_sec": 0, "timeout_sec": 1,
        })
        async with running(pool, metadata_with(definition)):
            await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")
            await hook.wait_for(2, timeout=10)
            await asyncio.sleep(0.3)

    logs = await pool.fetch(
        "SELECT status, response::text AS response FROM hdb_catalog.event_invocation_logs "
        "ORDER BY created_at"
    )
    assert logs[0]["status"] is None
    assert "timed out" in json.loads(logs[0]["response"])["data"]["message"]
    assert logs[1]["status"] == 200


async def test_delivery_follows_metadata_changes(pool: asyncpg.Pool) -> None:
    """GIVEN a running service without triggers.

    WHEN metadata adding a trigger is applied
    THEN the next insert is delivered without a restart.
    """
    async with WebhookRecorder() as hook, running(pool, metadata_with()) as service:
        await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")
        await service.apply(metadata_with(trigger("acc", hook.url)))
        await pool.execute("INSERT INTO accounts (id, owner) VALUES (2, 'bob')")
        got = await hook.wait_for(1)
        await asyncio.sleep(0.3)

    assert len(got) == 1
    assert got[0].json()["event"]["data"]["new"]["id"] == 2


async def test_delivery_one_inconsistent_trigger_does_not_stop_the_others(
    pool: asyncpg.Pool,
) -> None:
    """GIVEN metadata with a trigger on a missing column next to a valid one.

    WHEN the service starts and a row is inserted
    THEN the valid trigger delivers and the other is left out.
    """
    async with WebhookRecorder() as hook:
        broken = trigger("broken", hook.url, definition={"update": {"columns": ["nope"]}})
        async with running(pool, metadata_with(broken, trigger("acc", hook.url))) as service:
            await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")
            got = await hook.wait_for(1)

    assert got[0].json()["trigger"] == {"name": "acc"}
    assert set(service.store.triggers) == {"acc"}


async def test_delivery_sends_configured_headers_by_the_actions_header_rule(
    pool: asyncpg.Pool,
) -> None:
    """Delivery sends configured headers by the actions' header rule.

    GIVEN a trigger whose headers come from the environment: one only UTF-8 can hold, one
    holding a line break (a header-injection attempt), one plain WHEN a row is inserted
    THEN the event is delivered (no crash, no stuck lock) with the UTF-8 value and the plain
    one, the line-break header dropped, and no header the metadata did not configure.
    """
    async with WebhookRecorder() as hook:
        definition = trigger("acc", hook.url, headers=[
            {"name": "X-City", "value_from_env": "CITY"},
            {"name": "X-Split", "value_from_env": "SPLIT"},
            {"name": "X-Plain", "value": "yes"},
        ])
        env = {"CITY": "東京", "SPLIT": "a\r\nX-Injected: 1", "HASURA_GRAPHQL_ADMIN_SECRET": "s"}
        async with running(pool, metadata_with(definition), env):
            await pool.execute("INSERT INTO accounts (id, owner) VALUES (1, 'ann')")
            [got] = await hook.wait_for(1)
            for _ in range(50):
                if await pool.fetchval("SELECT delivered FROM hdb_catalog.event_log"):
                    break
                await asyncio.sleep(0.1)

    assert got.headers["x-city"].encode("latin-1") == "東京".encode()
    assert got.headers["x-plain"] == "yes"
    assert "x-split" not in got.headers
    assert "x-injected" not in got.headers
    assert not {name for name in got.headers if name.startswith("x-")} - {"x-city", "x-plain"}
    assert await pool.fetchval("SELECT delivered FROM hdb_catalog.event_log") is True


async def test_delivery_connection_closed_by_the_server_is_replaced(
        pool: asyncpg.Pool) -> None:
    """Delivery connection closed by the server is replaced.

    GIVEN a delivery loop holding a pooled connection for LISTEN WHEN the server terminates
    that connection (asyncpg hands it back to the pool and detaches the loop's proxy) THEN
    the loop's next fetch gets a new, working connection instead of an error about a
    released connection.
    """
    loop = DeliveryLoop("test-delivery", EventLogStore(), FAST)
    loop._pool = pool
    held = await loop._connection()
    backend = held.get_server_pid()
    assert await pool.fetchval("SELECT pg_terminate_backend($1)", backend) is True
    for _ in range(600):  # 30 s at most for the close to arrive
        if not _open(held):
            break
        await asyncio.sleep(0.05)
    try:
        again = await loop._connection()
        assert again.get_server_pid() != backend
        assert await again.fetchval("SELECT 1") == 1
    finally:
        await loop._release()
