"""Scheduled triggers as a metadata listener: cron runs and one-off events, delivered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import asyncpg

from engine.cron.catalog import ensure_cron_catalog
from engine.cron.config import cron_triggers_from_metadata
from engine.cron.oneoff import OneOffEventStore
from engine.cron.scheduler import CronScheduler
from engine.cron.store import CronEventStore
from engine.events.delivery import DeliveryLoop
from engine.events.settings import DeliverySettings

logger = logging.getLogger("engine.cron")


class CronTriggerService:
    """Schedules and delivers the metadata's cron triggers and the one-off events.

    Cron runs and one-off events each have their own delivery loop over the same
    :class:`DeliveryLoop`, so both are locked, retried and released the same way.
    """

    background_pool = True
    """Started on the engine's background pool: the loops hold connections while they run."""

    def __init__(
        self, settings: DeliverySettings | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        self._settings = settings
        self._env = env
        self.store = CronEventStore()
        self.loop: DeliveryLoop | None = None
        self.one_off = OneOffEventStore()
        self.one_off_loop: DeliveryLoop | None = None
        self.scheduler = CronScheduler(self.store, self._wake_in)
        self._pool: asyncpg.Pool | None = None

    def _wake_in(self, delay: float) -> None:
        if self.loop is not None:
            asyncio.get_running_loop().call_later(delay, self.loop.wake)

    async def start(self, pool: asyncpg.Pool, metadata: Mapping[str, Any]) -> None:
        """Create the cron tables if needed, schedule every trigger, start delivering."""
        self._pool = pool
        settings = self._settings or DeliverySettings.from_env()
        async with pool.acquire() as conn:
            await ensure_cron_catalog(conn)
        self.store.triggers = cron_triggers_from_metadata(metadata, on_error=self._inconsistent)
        self.loop = DeliveryLoop("cron-triggers", self.store, settings, self._env)
        await self.loop.start(pool)
        self.one_off_loop = DeliveryLoop("scheduled-events", self.one_off, settings, self._env)
        await self.one_off_loop.start(pool)
        await self.scheduler.start(pool)
        logger.info("cron triggers in force: %s", ", ".join(sorted(self.store.triggers)) or "none")

    async def apply(self, metadata: Mapping[str, Any]) -> None:
        """Add, reschedule or remove triggers as the new metadata says, without a restart."""
        assert self._pool is not None, "apply() before start()"
        new = cron_triggers_from_metadata(metadata, on_error=self._inconsistent)
        old = self.store.triggers
        for name in old.keys() - new.keys():
            self.scheduler.remove(name)
            async with self._pool.acquire() as conn:
                await self.store.forget(conn, name)
        self.store.triggers = new
        for name, trigger in new.items():
            if name not in old or old[name].schedule != trigger.schedule:
                await self.scheduler.add(trigger)  # from now on: no back-fill of a new schedule
        if self.loop is not None:
            self.loop.wake()
        logger.info("cron triggers in force: %s", ", ".join(sorted(new)) or "none")

    @staticmethod
    def _inconsistent(reason: str) -> None:
        logger.error("cron trigger left out (inconsistent metadata): %s", reason)

    async def stop(self) -> None:
        """Stop scheduling and delivering."""
        self.scheduler.shutdown()
        if self.loop is not None:
            await self.loop.stop()
            self.loop = None
        if self.one_off_loop is not None:
            await self.one_off_loop.stop()
            self.one_off_loop = None
