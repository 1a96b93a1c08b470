"""Keeping several engine instances on one database in step with the metadata.

Hasura's design ("schema cache sync"): every change that needs a rebuild stores a new
resource version in ``hdb_catalog.hdb_metadata`` and what it invalidated in
``hdb_catalog.hdb_schema_notifications``; every instance polls the version and, when it
moved, reads the metadata again and rebuilds. Here an instance is also *told* at once:
the change's transaction sends a ``NOTIFY`` (delivered when it commits) that each
instance's :class:`SchemaSync` listens for on a connection of its own. The poll, every
``HASURA_GRAPHQL_SCHEMA_SYNC_POLL_INTERVAL`` milliseconds (Hasura's default 1000, 0 turns
the sync off), stays as the fallback for a notification lost while that connection was
down.

Writes cannot be lost whether or not the sync is on: every metadata request locks the
change record and, if another instance moved the version, takes the change in before it
runs (:mod:`engine.metadata.manager`).

What a change invalidates besides the metadata (a remote schema to introspect again) is
passed on to the handlers registered with :func:`register_invalidation`. Only the last
change's invalidations are kept, as in Hasura.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import asyncpg

from engine.database_errors import DATABASE_ERRORS
from engine.metadata import store
from engine.repeated_warning import RepeatedWarning

if TYPE_CHECKING:
    from engine.metadata.manager import MetadataManager

logger = logging.getLogger("engine.metadata.sync")

_HANDLERS: dict[str, list[Callable[[Iterable[str]], None]]] = {}


def register_invalidation(kind: str, handler: Callable[[Iterable[str]], None]) -> None:
    """Call ``handler`` with the names a change invalidated under ``kind`` (``remote_schemas``)."""
    if handler not in _HANDLERS.setdefault(kind, []):
        _HANDLERS[kind].append(handler)


def apply_invalidations(invalidations: Mapping[str, Any]) -> None:
    """Hand each registered handler the names invalidated under its kind."""
    for kind, handlers in _HANDLERS.items():
        names = invalidations.get(kind)
        if isinstance(names, list) and names:
            for handler in handlers:
                handler([str(name) for name in names])


class SchemaSync:
    """Takes in, through ``manager``, the changes other instances commit."""

    def __init__(self, manager: MetadataManager, database_url: str, interval: float) -> None:
        self.manager = manager
        self.database_url = database_url
        self.interval = interval
        self.taken_in = 0
        """Changes taken in from other instances (for tests and logs)."""
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._warning = RepeatedWarning(
            logger, "metadata sync: the database is unreachable, changes made through other "
            "instances wait")

    def start(self) -> None:
        """Start listening and polling (nothing when the interval is 0: sync off)."""
        if self.interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._run(), name="metadata-sync")

    async def stop(self) -> None:
        """Stop the loop and close its connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _notified(self, *args: object) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self.database_url)
                await conn.add_listener(store.CHANNEL, self._notified)
                while True:
                    # Cleared before the check: a notification arriving during it is kept.
                    self._wake.clear()
                    await self._check(conn)
                    self._warning.succeeded()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.interval)
            except DATABASE_ERRORS as exc:
                self._warning.failed(exc)
            finally:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.shield(conn.close(timeout=2))
            await asyncio.sleep(self.interval)

    async def _check(self, conn: asyncpg.Connection) -> None:
        if await store.stored_version(conn) == self.manager.resource_version:
            return
        try:
            if await self.manager.sync():
                self.taken_in += 1
        except DATABASE_ERRORS:
            raise
        except Exception:  # a rebuild that fails must not end the sync
            logger.exception("metadata sync: taking in a change failed")
