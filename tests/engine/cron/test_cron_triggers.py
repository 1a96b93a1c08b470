"""Cron triggers: each scheduled time delivered once, on time, across restarts and engines."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from engine.cron.service import CronTriggerService
from tests.engine.events.conftest import FAST
from tests.engine.events.recorder import Answer, WebhookRecorder


def cron(name: str, url: str, schedule: str = "* * * * * *", **retry: int) -> dict[str, Any]:
    return {
        "name": name,
        "webhook": "{{HOOK_URL}}" + url,
        "schedule": schedule,
        "payload": {"job": name},
        "headers": [{"name": "X-Action-Secret", "value_from_env": "SECRET"}],
        "retry_conf": {"num_retries": 0, "retry_interval_seconds": 1, "timeout_seconds": 5,
                       "tolerance_seconds": 3600, **retry},
        "include_in_metadata": True,
        "comment": f"{name} every second",
    }


def metadata(*triggers: dict[str, Any]) -> dict[str, Any]:
    return {"version": 3, "sources": [], "cron_triggers": list(triggers)}


async def started(pool: asyncpg.Pool, meta: dict[str, Any], base: str) -> CronTriggerService:
    service = CronTriggerService(FAST, {"HOOK_URL": base, "SECRET": "s3"})
    await service.start(pool, meta)
    return service


def times(hook: WebhookRecorder, name: str | None = None) -> list[datetime]:
    return [
        datetime.fromisoformat(r.json()["scheduled_time"].replace("Z", "+00:00"))
        for r in hook.received
        if name is None or r.json()["name"] == name
    ]


def consecutive_seconds(moments: list[datetime]) -> bool:
    ordered = sorted(moments)
    return all(b - a == timedelta(seconds=1) for a, b in itertools.pairwise(ordered))


async def test_cron_fires_on_schedule_once_per_time_with_two_engines(pool: asyncpg.Pool) -> None:
    """GIVEN two engines running the same every-second cron trigger.

    WHEN about three seconds pass
    THEN each second is delivered exactly once, soon after its time, with Hasura's body
    and the configured header.
    """
    async with WebhookRecorder() as hook:
        meta = metadata(cron("tick", "/cron/tick"))
        first = await started(pool, meta, hook.url)
        second = await started(pool, meta, hook.url)
        try:
            await hook.wait_for(3, timeout=15)
        finally:
            await first.stop()
            await second.stop()

    scheduled = times(hook)
    assert len(scheduled) == len(set(scheduled))
    assert consecutive_seconds(scheduled)
    assert all(moment.microsecond == 0 for moment in scheduled)
    request = hook.received[0]
    body = request.json()
    assert set(body) == {"id", "name", "scheduled_time", "payload", "comment"}
    assert body["name"] == "tick"
    assert body["payload"] == {"job": "tick"}
    assert body["comment"] == "tick every second"
    assert request.path == "/cron/tick"
    assert request.headers["x-action-secret"] == "s3"
    lags = [r.wall - t.timestamp() for r, t in zip(hook.received, scheduled, strict=True)]
    assert all(0 <= lag < 1.0 for lag in lags), lags
    rows = await pool.fetch(
        "SELECT status FROM hdb_catalog.hdb_cron_events WHERE status <> 'scheduled'"
    )
    assert {r["status"] for r in rows} == {"delivered"}


async def test_cron_restart_delivers_missed_runs_without_repeats(pool: asyncpg.Pool) -> None:
    """GIVEN an every-second trigger that was delivering, then an engine down for ~2 s.

    WHEN the engine starts again (tolerance 1 hour)
    THEN the runs missed while down are delivered and no time is delivered twice.
    """
    async with WebhookRecorder() as hook:
        meta = metadata(cron("tick", "/t"))
        service = await started(pool, meta, hook.url)
        await hook.wait_for(1, timeout=15)
        await service.stop()
        before = len(hook.received)
        await asyncio.sleep(2.2)
        assert len(hook.received) == before
        service = await started(pool, meta, hook.url)
        try:
            await hook.wait_for(before + 3, timeout=15)
        finally:
            await service.stop()

    scheduled = times(hook)
    assert len(scheduled) == len(set(scheduled))
    assert consecutive_seconds(scheduled)


async def test_cron_runs_missed_beyond_tolerance_are_not_delivered(pool: asyncpg.Pool) -> None:
    """GIVEN an every-second trigger with a 1 s tolerance and an engine down for ~3 s.

    WHEN the engine starts again
    THEN runs older than the tolerance are skipped: a gap appears in the delivered times.
    """
    async with WebhookRecorder() as hook:
        meta = metadata(cron("tick", "/t", tolerance_seconds=1))
        service = await started(pool, meta, hook.url)
        await hook.wait_for(1, timeout=15)
        await service.stop()
        stopped_after = max(times(hook))
        await asyncio.sleep(3.2)
        service = await started(pool, meta, hook.url)
        try:
            await hook.wait_for(len(hook.received) + 1, timeout=4)
        finally:
            await service.stop()

    later = sorted(t for t in times(hook) if t > stopped_after)
    assert later[0] - stopped_after >= timedelta(seconds=2)


async def test_cron_retries_a_failed_run(pool: asyncpg.Pool) -> None:
    """GIVEN a trigger every 2 s whose webhook fails once, one retry 1 s later allowed.

    WHEN its run is due
    THEN the same run is delivered twice about 1 s apart and recorded as delivered.
    """
    async with WebhookRecorder(lambda n, _r: Answer(500 if n == 0 else 200)) as hook:
        meta = metadata(cron("tick", "/t", schedule="*/2 * * * * *", num_retries=1))
        service = await started(pool, meta, hook.url)
        try:
            got = await hook.wait_for(2, timeout=10)
            await asyncio.sleep(0.3)
        finally:
            await service.stop()

    assert got[0].json()["id"] == got[1].json()["id"]
    assert 0.9 <= got[1].at - got[0].at < 3.0
    status = await pool.fetchval(
        "SELECT status FROM hdb_catalog.hdb_cron_events WHERE id = $1::uuid", got[0].json()["id"]
    )
    assert status == "delivered"
    logged = await pool.fetchval(
        "SELECT count(*) FROM hdb_catalog.hdb_cron_event_invocation_logs"
    )
    assert logged >= 2


async def _settled(hook: WebhookRecorder, quiet: float = 1.2, limit: float = 15.0) -> int:
    """How many calls ``hook`` got once none arrived for ``quiet`` seconds."""
    deadline = asyncio.get_running_loop().time() + limit
    count = len(hook.received)
    while True:
        await asyncio.sleep(quiet)
        if len(hook.received) == count or asyncio.get_running_loop().time() > deadline:
            return count
        count = len(hook.received)


async def test_cron_metadata_changes_apply_without_restart(pool: asyncpg.Pool) -> None:
    """GIVEN a running engine with no cron trigger.

    WHEN a trigger is added, then removed, through apply()
    THEN it fires while present and stops firing once removed.
    """
    async with WebhookRecorder() as hook:
        service = await started(pool, metadata(), hook.url)
        try:
            await service.apply(metadata(cron("tick", "/t")))
            await hook.wait_for(2, timeout=15)
            await service.apply(metadata())
            count = await _settled(hook)  # a delivery already under way may still land
            await asyncio.sleep(1.5)
        finally:
            await service.stop()

    assert len(hook.received) == count
    pending = await pool.fetchval(
        "SELECT count(*) FROM hdb_catalog.hdb_cron_events WHERE status = 'scheduled'"
    )
    assert pending == 0
