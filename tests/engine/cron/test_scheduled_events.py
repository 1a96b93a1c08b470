"""One-off scheduled events: stored, delivered once at their time, retried, deletable."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from devstack.services.engine import EngineHandle
from engine.cron.catalog import ensure_cron_catalog
from engine.cron.oneoff import OneOffEventStore
from engine.cron.service import CronTriggerService
from tests.engine.events.conftest import FAST
from tests.engine.events.recorder import Answer, Received, WebhookRecorder


def at(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def event(url: str, seconds: float, payload: Any, **retry: int) -> dict[str, Any]:
    return {
        "webhook": "{{HOOK_URL}}" + url,
        "schedule_at": at(seconds),
        "payload": payload,
        "headers": [{"name": "X-Action-Secret", "value_from_env": "SECRET"}],
        "retry_conf": {"num_retries": 0, "retry_interval_seconds": 1, "timeout_seconds": 5,
                       **retry},
        "comment": "test event",
    }


async def create(pool: asyncpg.Pool, args: dict[str, Any]) -> str:
    async with pool.acquire() as conn:
        return await OneOffEventStore().create(conn, args)


async def test_one_off_event_delivered_once_across_two_engines_and_a_restart(
    pool: asyncpg.Pool,
) -> None:
    """GIVEN two engines and three events, one due while both engines are stopped.

    WHEN the events come due (and the engines restart)
    THEN each is posted exactly once, with Hasura's one-off body and the header.
    """
    async with pool.acquire() as conn:
        await ensure_cron_catalog(conn)
    env = {"HOOK_URL": "", "SECRET": "s3"}
    async with WebhookRecorder() as hook:
        env["HOOK_URL"] = hook.url
        engines = [CronTriggerService(FAST, env) for _ in range(2)]
        for service in engines:
            await service.start(pool, {"version": 3, "sources": []})
        ids = [await create(pool, event("/close", 0.3, {"n": n})) for n in (1, 2)]
        await hook.wait_for(2, timeout=15)
        for service in engines:
            await service.stop()
        ids.append(await create(pool, event("/close", 0.2, {"n": 3})))
        await asyncio.sleep(0.5)
        assert len(hook.received) == 2  # nothing runs while no engine is up
        restarted = CronTriggerService(FAST, env)
        await restarted.start(pool, {"version": 3, "sources": []})
        try:
            await hook.wait_for(3, timeout=15)
            await asyncio.sleep(0.5)
        finally:
            await restarted.stop()

    bodies = [r.json() for r in hook.received]
    assert sorted(b["id"] for b in bodies) == sorted(ids)
    assert sorted(b["payload"]["n"] for b in bodies) == [1, 2, 3]
    assert set(bodies[0]) == {"id", "scheduled_time", "payload", "comment", "created_at"}
    assert all(r.headers["x-action-secret"] == "s3" and r.path == "/close"
               for r in hook.received)
    statuses = await pool.fetch("SELECT status FROM hdb_catalog.hdb_scheduled_events")
    assert {r["status"] for r in statuses} == {"delivered"}


async def test_one_off_event_retried_then_dead_past_tolerance(pool: asyncpg.Pool) -> None:
    """GIVEN an event whose webhook fails once, and one already past its tolerance.

    WHEN they come due
    THEN the first is retried and delivered (two invocation logs), the second never posted.
    """
    def script(n: int, _r: Received) -> Answer:
        return Answer(500 if n == 0 else 200)

    async with WebhookRecorder(script) as hook:
        service = CronTriggerService(FAST, {"HOOK_URL": hook.url, "SECRET": "s"})
        await service.start(pool, {"version": 3, "sources": []})
        try:
            retried = await create(pool, event("/r", 0.1, None, num_retries=2))
            late = event("/late", -120, None, tolerance_seconds=60)
            await create(pool, late)
            await hook.wait_for(2, timeout=15)
            await asyncio.sleep(0.4)
        finally:
            await service.stop()

    assert [r.path for r in hook.received] == ["/r", "/r"]
    rows = {r["status"]: r for r in await pool.fetch(
        "SELECT id::text, status, tries FROM hdb_catalog.hdb_scheduled_events")}
    assert rows["delivered"]["id"] == retried
    assert rows["delivered"]["tries"] == 2
    assert "dead" in rows
    logs = await pool.fetchval(
        "SELECT count(*) FROM hdb_catalog.hdb_scheduled_event_invocation_logs")
    assert logs == 2


async def test_engine_scheduled_event_ops_create_list_delete(
    start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str]
) -> None:
    """GIVEN a running engine.

    WHEN two one-off events are created through /v1/metadata and the later one is deleted
    THEN the first is delivered, listed as delivered, and the deleted one never runs.
    """
    async with WebhookRecorder() as hook:
        engine = await asyncio.to_thread(
            start_engine, create_database("oneoff_ops"),
            extra_env={"HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL": "200"},
        )

        def call(kind: str, args: dict[str, Any]) -> tuple[int, Any]:
            answer = engine.metadata({"type": kind, "args": args})
            return answer.status_code, answer.json()

        soon = await asyncio.to_thread(call, "create_scheduled_event", {
            "webhook": hook.url + "/soon", "schedule_at": at(0.5), "payload": {"k": 1}})
        later = await asyncio.to_thread(call, "create_scheduled_event", {
            "webhook": hook.url + "/later", "schedule_at": at(1.0), "payload": {"k": 2}})
        bad = await asyncio.to_thread(call, "create_scheduled_event", {
            "webhook": hook.url, "schedule_at": "tomorrow"})
        deleted = await asyncio.to_thread(call, "delete_scheduled_event", {
            "type": "one_off", "event_id": later[1]["event_id"]})
        missing = await asyncio.to_thread(call, "delete_scheduled_event", {
            "type": "one_off", "event_id": later[1]["event_id"]})
        await hook.wait_for(1, timeout=15)
        await asyncio.sleep(1.2)
        listed = await asyncio.to_thread(call, "get_scheduled_events", {
            "type": "one_off", "get_rows_count": True})

    assert soon[0] == 200
    assert soon[1]["message"] == "success"
    assert bad[0] == 400
    assert bad[1]["code"] == "invalid-configuration"
    assert deleted == (200, {"message": "success"})
    assert missing[0] == 400
    assert missing[1]["code"] == "not-exists"
    assert [r.path for r in hook.received] == ["/soon"]
    assert listed[1]["count"] == 1
    only = listed[1]["events"][0]
    assert only["id"] == soon[1]["event_id"]
    assert only["status"] == "delivered"
    assert only["payload"] == {"k": 1}
