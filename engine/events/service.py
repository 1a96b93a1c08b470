"""Event triggers as a metadata listener: capture installed, events delivered."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import asyncpg

from engine.events.capture import sync_capture
from engine.events.catalog import ensure_event_catalog
from engine.events.config import event_triggers_from_metadata
from engine.events.delivery import DeliveryLoop
from engine.events.settings import DeliverySettings
from engine.events.store import EventLogStore

logger = logging.getLogger("engine.events")


class EventTriggerService:
    """Keeps the database's capture triggers and the delivery worker in step with metadata."""

    background_pool = True
    """Started on the engine's background pool: the loops hold connections while they run."""

    def __init__(
        self, settings: DeliverySettings | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        self._settings = settings
        self._env = env
        self.store = EventLogStore()
        self.loop: DeliveryLoop | None = None
        self._pool: asyncpg.Pool | None = None

    async def start(self, pool: asyncpg.Pool, metadata: Mapping[str, Any]) -> None:
        """Create the event log if needed, install the capture, start delivering."""
        self._pool = pool
        settings = self._settings or DeliverySettings.from_env()
        async with pool.acquire() as conn:
            await ensure_event_catalog(conn)
        await self.apply(metadata)
        self.loop = DeliveryLoop("event-triggers", self.store, settings, self._env)
        await self.loop.start(pool)

    async def apply(self, metadata: Mapping[str, Any]) -> None:
        """Install, replace or drop capture triggers and deliver for the new definitions."""
        assert self._pool is not None, "apply() before start()"
        triggers = event_triggers_from_metadata(metadata, on_error=self._inconsistent)
        async with self._pool.acquire() as conn:
            skipped = await sync_capture(conn, triggers.values(), strict=False)
        for name, reason in skipped.items():
            self._inconsistent(reason)
            del triggers[name]
        self.store.triggers = triggers
        if self.loop is not None:
            self.loop.wake()
        logger.info("event triggers in force: %s", ", ".join(sorted(triggers)) or "none")

    @staticmethod
    def _inconsistent(reason: str) -> None:
        logger.error("event trigger left out (inconsistent metadata): %s", reason)

    async def stop(self) -> None:
        """Stop delivering; events in flight finish or are unlocked for the next start."""
        if self.loop is not None:
            await self.loop.stop()
            self.loop = None
