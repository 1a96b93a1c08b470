"""Turning cron schedules into recorded runs, on time, with APScheduler as the clock.

At each scheduled time APScheduler calls :meth:`CronScheduler.tick`, which records every
time of the trigger's schedule since the last one recorded (within the tolerance) in
``hdb_cron_events``. Recording is idempotent, so a missed wake-up, a restart or a second
engine neither drops nor repeats a run; the delivery loop then delivers what is due.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from engine.cron.config import CronTrigger
from engine.cron.schedule import ScheduleTrigger
from engine.cron.store import CronEventStore, utc_now
from engine.database_errors import DATABASE_ERRORS

logger = logging.getLogger("engine.cron")
# APScheduler logs two INFO lines per run; a seconds-level schedule would flood the log.
logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)

LOOKAHEAD = timedelta(seconds=1)
"""Times this close ahead are recorded now (a timer may fire a hair early)."""
MAX_PER_TICK = 1000
"""Bound on the runs recorded at once (a seconds-level schedule after a long outage)."""


class CronScheduler:
    """Keeps one APScheduler job per cron trigger and records its scheduled times."""

    def __init__(
        self,
        store: CronEventStore,
        on_recorded: Callable[[float], None],
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self._on_recorded = on_recorded
        self._now = now
        self._since: dict[str, datetime] = {}
        self._pool: asyncpg.Pool | None = None
        self._scheduler: AsyncIOScheduler | None = None

    async def start(self, pool: asyncpg.Pool) -> None:
        """Schedule every trigger of the store, catching up on runs missed while down."""
        self._pool = pool
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.start()
        for trigger in self.store.triggers.values():
            async with pool.acquire() as conn:
                last = await self.store.last_scheduled(conn, trigger.name)
            await self.add(trigger, since=last)

    async def add(self, trigger: CronTrigger, since: datetime | None = None) -> None:
        """(Re)schedule ``trigger``; runs after ``since`` (default: now) are recorded."""
        assert self._scheduler is not None
        self._since[trigger.name] = since or self._now()
        self._scheduler.add_job(
            self.tick,
            trigger=ScheduleTrigger(trigger.schedule),
            args=[trigger.name],
            id=trigger.name,
            name=f"cron trigger {trigger.name}",
            replace_existing=True,
            misfire_grace_time=None,  # late is fine: tick records by schedule, not by wake-up
            coalesce=True,
            max_instances=1,
        )
        await self.tick(trigger.name)

    def remove(self, name: str) -> None:
        """Stop scheduling ``name``."""
        self._since.pop(name, None)
        if self._scheduler is not None and self._scheduler.get_job(name) is not None:
            self._scheduler.remove_job(name)

    async def tick(self, name: str) -> None:
        """Record the runs of ``name`` that are due (or about to be) and not recorded yet."""
        trigger = self.store.triggers.get(name)
        if trigger is None or self._pool is None:
            return
        now = self._now()
        floor = now - timedelta(seconds=trigger.retry_conf.tolerance_seconds)
        since = max(self._since.get(name, now), floor)
        times = list(
            itertools.islice(trigger.schedule.between(since, now + LOOKAHEAD), MAX_PER_TICK)
        )
        if not times:
            return
        try:
            async with self._pool.acquire() as conn:
                await self.store.schedule(conn, name, times)
        except DATABASE_ERRORS as exc:
            logger.warning("cron trigger %s: recording runs failed (retried next tick): %s",
                           name, exc)
            return
        self._since[name] = times[-1]
        for moment in times:
            self._on_recorded(max(0.0, (moment - now).total_seconds()))

    def shutdown(self) -> None:
        """Stop the clock."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
