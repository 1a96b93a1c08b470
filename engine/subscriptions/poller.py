"""A poller: one query shape and role, its cohorts, one statement per batch per interval.

Every ``interval`` seconds the poller runs its statement for each batch of up to
``batch_size`` cohorts (the batches pipelined over the connections of the pollers' pool).
A live query's cohort is sent its result only when the result's hash changed, except to
subscribers that joined since the last result, who get the current one. A stream's cohort
is sent each non-empty batch of rows, and its cursor moves to the batch's last row.

Delivery never blocks the poller: a sink keeps only the latest message per subscription
(see :mod:`engine.server.ws_connection`), so a slow consumer costs memory for one result.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from engine.graphql.bodies import error_body
from engine.subscriptions.cohort import BatchStatement, cohort_key

logger = logging.getLogger("engine.subscriptions")

Sink = Callable[[str], None]
"""Takes a subscriber's next result (``{"data": ...}`` or ``{"errors": ...}``), never blocks."""


@dataclass(eq=False, slots=True)
class Cohort:
    """Subscribers whose statement reads the same values."""

    id: int
    values: list[str | None]
    key: str
    sinks: dict[int, Sink] = field(default_factory=dict)
    fresh: set[int] = field(default_factory=set)
    """Subscribers that have not been sent the current result yet."""
    last_hash: str | None = None


class Poller:
    """Polls one batch statement for all its cohorts until the last subscriber leaves."""

    def __init__(self, statement: BatchStatement, pool: asyncpg.Pool, interval: float,
                 batch_size: int, on_empty: Callable[[Poller], None]) -> None:
        self.statement = statement
        self.pool = pool
        self.interval = interval
        self.batch_size = batch_size
        self.on_empty = on_empty
        self.cohorts: dict[str, Cohort] = {}
        self.members: dict[int, Cohort] = {}
        self.statements = 0
        """Statements run so far (one per batch per poll)."""
        self.polls = 0
        self.poll_seconds = 0.0
        """Wall time of all polls so far (statements and fan-out)."""
        self.last_poll_seconds = 0.0
        self.task: asyncio.Task[None] | None = None
        self._ids = itertools.count(1)
        self._sleeping = False

    # -- subscribers ---------------------------------------------------------------------
    def add(self, token: int, sink: Sink, values: list[str | None],
            last_hash: str | None = None) -> None:
        """Add a subscriber; it is sent the cohort's current result at the next poll."""
        key = cohort_key(values)
        cohort = self.cohorts.get(key)
        if cohort is None:
            cohort = Cohort(next(self._ids), list(values), key, last_hash=last_hash)
            self.cohorts[key] = cohort
        cohort.sinks[token] = sink
        if last_hash is None or last_hash != cohort.last_hash:
            cohort.fresh.add(token)
        self.members[token] = cohort
        if self.task is None:
            self.task = asyncio.create_task(self._loop(), name="subscription poller")

    def remove(self, token: int) -> str | None:
        """Remove a subscriber; returns its cohort's last result hash.

        The poller stops (and tells ``on_empty``) when its last subscriber leaves.
        """
        cohort = self.members.pop(token, None)
        if cohort is None:
            return None
        cohort.sinks.pop(token, None)
        cohort.fresh.discard(token)
        if not cohort.sinks:
            self.cohorts.pop(cohort.key, None)
        if not self.members:
            self.stop()
        return cohort.last_hash

    def stop(self) -> None:
        """Stop polling (no wait); ``on_empty`` is told once.

        A poll in flight finishes (its connection goes back to the pool clean); a sleeping
        poller is cancelled at once.
        """
        task, self.task = self.task, None
        if task is not None:
            if self._sleeping:
                task.cancel()
            self.on_empty(self)

    async def wait_stopped(self) -> None:
        """Stop and wait for the poll in flight, if any, to end."""
        task = self.task
        self.stop()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called (or the poller never started)."""
        return self.task is None

    # -- polling -------------------------------------------------------------------------
    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        me = asyncio.current_task()
        while self.cohorts and self.task is me:
            started = loop.time()
            try:
                await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("a subscription poll failed")
            if self.task is not me:
                return
            self._sleeping = True
            try:
                await asyncio.sleep(max(0.0, self.interval - (loop.time() - started)))
            finally:
                self._sleeping = False

    async def poll(self) -> None:
        """Run the statement once for every batch of cohorts.

        The batches are dealt over as many lanes as the pool has connections; a lane sends
        its batches' statements to PostgreSQL in one pipeline (one round trip, each batch
        still its own execution of the statement), so a poll waits for a few round trips
        rather than one per batch, however busy the event loop is.
        """
        started = time.perf_counter()
        cohorts = list(self.cohorts.values())
        size = self.batch_size
        batches = [cohorts[i:i + size] for i in range(0, len(cohorts), size)]
        lanes = max(1, min(len(batches), self.pool.get_max_size()))
        await asyncio.gather(*(self._lane(batches[i::lanes]) for i in range(lanes)))
        self.last_poll_seconds = time.perf_counter() - started
        self.poll_seconds += self.last_poll_seconds
        self.polls += 1

    def _arguments(self, batch: list[Cohort]) -> tuple[Any, ...]:
        stream = self.statement.stream
        return ([c.id for c in batch],
                [c.key for c in batch],  # the key is the values' JSON
                [None if (c.fresh or stream) else c.last_hash for c in batch],
                *self.statement.shared)

    async def _lane(self, batches: list[list[Cohort]]) -> None:
        """The statements of ``batches`` on one connection, pipelined."""
        if len(batches) == 1:
            await self._batch(batches[0])
            return
        sql = self.statement.sql
        try:
            async with self.pool.acquire() as conn:
                self.statements += len(batches)
                rows = await conn.fetchmany(sql, [self._arguments(b) for b in batches])
        except Exception:
            # The pipeline stops at its first error: run each batch alone, so only the
            # cohorts of the failing batch get the error (as without the pipeline).
            for batch in batches:
                await self._batch(batch)
            return
        self._deliver({c.id: c for b in batches for c in b}, rows)

    async def _batch(self, batch: list[Cohort]) -> None:
        try:
            async with self.pool.acquire() as conn:
                self.statements += 1
                rows = await conn.fetch(self.statement.sql, *self._arguments(batch))
        except Exception as exc:
            body = error_body(exc)
            digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
            text = body.decode()
            for cohort in batch:
                self._send(cohort, text, digest)
            return
        self._deliver({c.id: c for c in batch}, rows)

    def _deliver(self, by_id: dict[int, Cohort], rows: list[Any]) -> None:
        stream = self.statement.stream
        for cohort_id, text, digest, cursor in rows:
            cohort = by_id[cohort_id]
            if not cohort.sinks:
                continue
            if stream:
                if cursor is not None:
                    for sink in list(cohort.sinks.values()):
                        sink(text)
                    self._advance(cohort, cursor)
                cohort.fresh.clear()
            elif text is not None:
                self._send(cohort, text, digest)

    def _send(self, cohort: Cohort, body: str, digest: str) -> None:
        if digest != cohort.last_hash:
            targets = list(cohort.sinks.values())
        else:
            targets = [cohort.sinks[t] for t in cohort.fresh if t in cohort.sinks]
        cohort.last_hash = digest
        cohort.fresh.clear()
        for sink in targets:
            sink(body)

    def _advance(self, cohort: Cohort, cursor: str) -> None:
        """Move a stream cohort's cursor; it merges with a cohort already there."""
        slot = self.statement.cursor_slot
        assert slot is not None
        if self.cohorts.get(cohort.key) is cohort:
            del self.cohorts[cohort.key]
        cohort.values[slot] = cursor
        cohort.key = cohort_key(cohort.values)
        other = self.cohorts.get(cohort.key)
        if other is None:
            self.cohorts[cohort.key] = cohort
            return
        for token, sink in cohort.sinks.items():
            other.sinks[token] = sink
            self.members[token] = other
        cohort.sinks.clear()
