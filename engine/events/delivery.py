"""The delivery loop shared by event and cron triggers: fetch due work, POST it, record it.

Work is locked in the database with a timestamp (``FOR UPDATE SKIP LOCKED``) so several
engines share it. A live engine renews the timestamps of what it holds every third of the
lock timeout (a heartbeat), so an engine that dies holding locks delays its work by one
lock timeout at most (60 s by default): delivery is at least once. A ``LISTEN`` on the
store's channel wakes the loop as soon as work commits; a poll every ``fetch_interval``
covers everything else. Each outcome is recorded (state and invocation log, in one
statement) as soon as its response arrives; outcomes that arrive while a
write is under way share the next one, which is what keeps thousands of events per second
cheap without leaving delivered work unrecorded for longer than one write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from engine.database_errors import DATABASE_ERRORS
from engine.events.delivery_store import Delivery, DeliveryStore, Outcome, decide
from engine.events.settings import DeliverySettings
from engine.events.statistics import STATISTICS_CHECK_INTERVAL, refresh_statistics
from engine.events.transport import KeepAliveTransport
from engine.events.webhook import Attempt, WebhookConfigError, post, request_log
from engine.repeated_warning import RepeatedWarning

logger = logging.getLogger("engine.events.delivery")


def _open(conn: PoolConnectionProxy[asyncpg.Record]) -> bool:
    """Whether a held pool connection is still open.

    When the server closes a connection that is checked out, asyncpg hands it back to the
    pool at once and detaches the proxy, whose every method then raises InterfaceError
    ("connection has been released back to the pool"): closed, then, not a failure.
    """
    try:
        return not conn.is_closed()
    except asyncpg.InterfaceError:
        return False


class DeliveryLoop:
    """Delivers one store's due work with ``http_pool_size`` workers.

    The fetcher keeps a short queue of locked work filled (a batch at a time, so one query
    serves many deliveries); each worker takes the next delivery, POSTs it and hands the
    outcome to the recorder, which writes outcomes in batches.
    """

    def __init__(
        self,
        name: str,
        store: DeliveryStore,
        settings: DeliverySettings,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.store = store
        self.settings = settings
        self.env = os.environ if env is None else env
        self._pool: asyncpg.Pool | None = None
        self._conn: PoolConnectionProxy[asyncpg.Record] | None = None
        self._client: KeepAliveTransport | None = None
        self._wake = asyncio.Event()
        self._queue: asyncio.Queue[Delivery | None] = asyncio.Queue()
        self._results: list[Outcome] = []
        self._results_ready = asyncio.Event()
        self._recorded: dict[Any, asyncio.Future[None]] = {}
        """Workers wait on these until their outcome is committed (see _deliver)."""
        self._unrecorded: set[Any] = set()
        self._fetcher: asyncio.Task[None] | None = None
        self._recorder: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._statistics: asyncio.Task[None] | None = None
        self._statistics_checked = 0.0
        self._stopping = False

    async def start(self, pool: asyncpg.Pool) -> None:
        """Start fetching and delivering."""
        self._pool = pool
        self._stopping = False
        size = self.settings.http_pool_size
        self._client = KeepAliveTransport(max_idle=size)
        self._fetcher = asyncio.create_task(self._fetch_loop(), name=f"{self.name}-fetch")
        self._recorder = asyncio.create_task(self._record_loop(), name=f"{self.name}-record")
        self._heartbeat = asyncio.create_task(self._heartbeat_loop(),
                                              name=f"{self.name}-heartbeat")
        self._workers = [
            asyncio.create_task(self._worker(), name=f"{self.name}-worker-{n}")
            for n in range(size)
        ]

    def wake(self) -> None:
        """Look for due work now rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop fetching, let calls in flight finish (up to the shutdown timeout), record them.

        Work fetched but not started is unlocked, so the next engine takes it at once.
        """
        self._stopping = True
        self._wake.set()
        if self._fetcher is not None:
            await self._fetcher
        if self._statistics is not None:
            await asyncio.gather(self._statistics, return_exceptions=True)
            self._statistics = None
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
            self._heartbeat = None
        while not self._queue.empty():
            self._queue.get_nowait()  # stays in _unrecorded: unlocked below
        for _ in self._workers:
            self._queue.put_nowait(None)
        if self._workers:
            _, pending = await asyncio.wait(self._workers, timeout=self.settings.shutdown_timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._workers = []
        self._results_ready.set()
        if self._recorder is not None:
            await self._recorder
        await self._release()
        if self._client is not None:
            await self._client.aclose()
        self._fetcher = self._recorder = None

    async def _release(self) -> None:
        """Unlock whatever was fetched but not recorded, and give the connection back."""
        assert self._pool is not None
        leftover = list(self._unrecorded)
        if leftover:
            with contextlib.suppress(*DATABASE_ERRORS):
                async with self._pool.acquire() as conn:
                    await self.store.unlock(conn, leftover)
            self._unrecorded.clear()
        if self._conn is not None:
            with contextlib.suppress(*DATABASE_ERRORS):
                if self.store.channel:
                    await self._conn.remove_listener(self.store.channel, self._on_notify)
            await self._pool.release(self._conn)
            self._conn = None

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _connection(self) -> PoolConnectionProxy[asyncpg.Record]:
        assert self._pool is not None
        if self._conn is not None and _open(self._conn):
            return self._conn
        self._conn = None
        conn = await self._pool.acquire()
        if self.store.channel:
            await conn.add_listener(self.store.channel, self._on_notify)
        self._conn = conn
        return conn

    async def _drop_connection(self) -> None:
        if self._conn is not None and self._pool is not None:
            with contextlib.suppress(Exception):
                await self._pool.release(self._conn)
        self._conn = None

    async def _fetch_loop(self) -> None:
        batch = self.settings.fetch_batch_size
        warning = RepeatedWarning(logger, f"{self.name}: fetching due work failed")
        while not self._stopping:
            self._wake.clear()
            # Keep about one batch queued ahead of the workers, never more.
            limit = batch - self._queue.qsize()
            due: list[Delivery] = []
            if limit > 0:
                try:
                    conn = await self._connection()
                    due = await self.store.fetch(conn, limit, self.settings.lock_timeout)
                    warning.succeeded()
                except DATABASE_ERRORS as exc:
                    warning.failed(exc)
                    await self._drop_connection()
                except Exception:  # a bug must not stop delivery for good: log, poll again
                    logger.exception("%s: fetching due work failed", self.name)
                for delivery in due:
                    self._unrecorded.add(delivery.id)
                    self._queue.put_nowait(delivery)
                if due and len(due) == limit:
                    self._check_statistics()
                    continue  # more may be waiting: fetch again before sleeping
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.fetch_interval)

    def _check_statistics(self) -> None:
        """While a backlog lasts, refresh the work table's statistics now and then (aside)."""
        now = asyncio.get_running_loop().time()
        if (self._statistics is not None and not self._statistics.done()) or (
                now - self._statistics_checked < STATISTICS_CHECK_INTERVAL):
            return
        self._statistics_checked = now
        self._statistics = asyncio.create_task(self._refresh_statistics(),
                                               name=f"{self.name}-statistics")

    async def _refresh_statistics(self) -> None:
        assert self._pool is not None
        try:
            async with self._pool.acquire() as conn:
                if await refresh_statistics(conn, self.store.work_table):
                    logger.info("%s: analyzed %s (a backlog outgrew its statistics)",
                                self.name, self.store.work_table)
        except DATABASE_ERRORS as exc:
            # e.g. not the table's owner: delivery goes on, with autovacuum's statistics
            logger.warning("%s: refreshing the statistics of %s failed: %s",
                           self.name, self.store.work_table, exc)

    async def _worker(self) -> None:
        half = self.settings.fetch_batch_size // 2
        while True:
            delivery = await self._queue.get()
            if delivery is None:
                return
            if self._queue.qsize() <= half:
                self._wake.set()  # running low: let the fetcher top the queue up
            try:
                await self._deliver(delivery)
            except Exception:  # left locked: retried once its lock times out
                logger.exception("%s: delivering %s failed", self.name, delivery.id)

    async def _deliver(self, delivery: Delivery) -> None:
        assert self._client is not None
        try:
            url = delivery.webhook.resolve_url(self.env)
            headers = delivery.webhook.resolve_headers(self.env)
        except WebhookConfigError as exc:
            attempt = Attempt(status=None, body=str(exc))
            headers = {}
        else:
            attempt = await post(self._client, url, headers, delivery.body, delivery.timeout)
        retry_in = decide(delivery, attempt)
        if not attempt.ok:
            logger.warning(
                "%s: delivery %s of %s failed (attempt %d, status %s): %s%s",
                self.name, delivery.id, delivery.trigger, delivery.tries + 1, attempt.status,
                attempt.body[:200],
                f"; retrying in {retry_in:g}s" if retry_in is not None else "; giving up",
            )
        if retry_in is not None:
            asyncio.get_running_loop().call_later(retry_in, self._wake.set)
        request = request_log(delivery.body, headers)
        # Wait until the outcome is committed before taking more work: delivered but
        # unrecorded work never exceeds the workers in flight, whatever the database's pace.
        recorded = asyncio.get_running_loop().create_future()
        self._recorded[delivery.id] = recorded
        self._results.append(Outcome(delivery, attempt, request, retry_in))
        self._results_ready.set()
        await recorded

    async def _heartbeat_loop(self) -> None:
        """Renew the locks of everything fetched and not yet recorded, until stopped."""
        assert self._pool is not None
        warning = RepeatedWarning(logger, f"{self.name}: renewing locks failed")
        while True:
            await asyncio.sleep(self.settings.heartbeat_interval)
            held = list(self._unrecorded)
            if not held:
                continue
            try:
                async with self._pool.acquire() as conn:
                    await self.store.heartbeat(conn, held)
                warning.succeeded()
            except DATABASE_ERRORS as exc:
                warning.failed(exc)

    async def _record_loop(self) -> None:
        assert self._pool is not None
        while True:
            await self._results_ready.wait()
            self._results_ready.clear()
            # No pause: what arrived while the previous write ran shares this one.
            batch, self._results = self._results, []
            if batch:
                try:
                    async with self._pool.acquire() as conn:
                        await self.store.record(conn, batch)
                except DATABASE_ERRORS as exc:
                    logger.warning(
                        "%s: recording %d results failed: %s", self.name, len(batch), exc
                    )
                    if self._stopping:
                        self._release_waiters()
                        return  # left locked: the lock times out and the work is redone
                    self._results = batch + self._results
                    await asyncio.sleep(self.settings.fetch_interval or 0.5)
                    self._results_ready.set()
                    continue
                for outcome in batch:
                    self._unrecorded.discard(outcome.delivery.id)
                    waiter = self._recorded.pop(outcome.delivery.id, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)
            if self._stopping and not self._workers and not self._results:
                self._release_waiters()
                return

    def _release_waiters(self) -> None:
        """Let workers still waiting for a record go (the loop is stopping)."""
        for waiter in self._recorded.values():
            if not waiter.done():
                waiter.set_result(None)
        self._recorded.clear()
