"""Pooled connections kept checked out between GraphQL requests while requests keep coming.

asyncpg's ``Pool.acquire`` and ``release`` cost about as much CPU as running a small
statement: per request a queue round, a proxy, a future, a reset coroutine, a shielded
release task (one more event-loop turn) and an inactivity timer. A busy engine answers
request after request on the same few connections, so :class:`HeldConnections` keeps the
connection a request gives back and hands it to the next request directly.

- Only a connection given back clean is kept: the request's statements finished without
  an error or a cancellation, and the connection is open and outside a transaction.
  Anything else goes back through the pool's own release, which waits for a cancelled
  statement and rolls back an open transaction.
- The engine never changes session state on a request's connection (session variables
  and time limits are transaction-local), so a kept connection is in the state the
  pool's release would leave it in (the pool's reset is a no-op too, see
  :mod:`engine.server.database`).
- A connection no request took during a whole period (:data:`HOLD_SECONDS`) goes back
  to the pool: an idle engine holds nothing, and the pool's own limits (idle lifetime,
  queries per connection) apply to it as before.
- At most the pool's size minus one are checked out through here (in use or kept), so the
  other users of the pool (metadata API, health check) always find a connection that
  cycles through the pool. A pool of one connection is shared through the pool itself.
- With that many in use (more requests in flight than connections), a request waits in a
  queue here, first come first served: a connection given back clean goes straight to the
  first waiting request (no release to the pool and acquire from it, which would cost more
  than the request's statement); one released to the pool makes a place for the first
  waiting request, which acquires one from the pool.
- While a request waits for the pool itself (its other users hold its connections), a
  connection given back that no queued request takes goes to the pool, whose waiters are
  served in turn: a request arriving later never takes a kept connection ahead of one
  already waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any, TypeAlias, cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy

HOLD_SECONDS = 0.025
"""How long a kept connection may stay unused before it goes back to the pool (one to
two periods)."""

PooledConnection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"


class HeldConnections:
    """A stack of clean connections checked out of ``pool``, for the next requests."""

    def __init__(self, pool: asyncpg.Pool, hold_seconds: float = HOLD_SECONDS) -> None:
        self.pool = pool
        self.hold_seconds = hold_seconds
        self._idle: list[PooledConnection] = []
        self._untouched = 0
        """How many at the bottom of the stack no request took since the last period."""
        self._limit: int | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._releasing: set[asyncio.Task[None]] = set()
        self._waiting = 0
        """Requests waiting for the pool: a connection given back goes to them, through it."""
        self._out = 0
        """Connections checked out of the pool through here (in use or kept), and places
        made for queued requests to acquire one."""
        self._queue: deque[asyncio.Future[PooledConnection | None]] = deque()
        """Requests waiting while the limit is checked out, first come first: each gets a
        connection given back, or None, a place to acquire one from the pool."""
        self._closed = False

    @property
    def held(self) -> int:
        """Connections kept now (checked out of the pool, unused)."""
        return len(self._idle)

    def take_kept(self) -> PooledConnection | None:
        """The last connection kept, if it can serve now (else None: :meth:`take` it).

        No coroutine: a busy engine's requests find one here nearly every time.
        """
        idle = self._idle
        if idle and _reusable(idle[-1]):
            return self._pop()
        return None

    async def take(self) -> PooledConnection:
        """A kept connection, else one handed over or acquired from the pool in turn."""
        while self._idle:
            conn = self._pop()
            if _reusable(conn):
                return conn
            await self.release(conn)
        limit = self._limit_now()
        if 0 < limit <= self._out and not self._closed:
            handed = await self._wait_turn()
            if handed is not None:
                return handed
            # else a place was made for this request (counted in _out already)
        else:
            self._out += 1
        self._waiting += 1
        try:
            acquired: PooledConnection = await self.pool.acquire()
        except BaseException:
            self._out -= 1
            self._next_turn()
            raise
        finally:
            self._waiting -= 1
        return acquired

    async def _wait_turn(self) -> PooledConnection | None:
        """Queue for a connection given back (or None: a place to acquire one)."""
        waiter: asyncio.Future[PooledConnection | None] = (
            asyncio.get_running_loop().create_future())
        self._queue.append(waiter)
        try:
            return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():  # served as it was cancelled
                self._pass_on(waiter.result())
            else:
                with contextlib.suppress(ValueError):
                    self._queue.remove(waiter)
            raise

    def _pass_on(self, handed: PooledConnection | None) -> None:
        """Give what a request cancelled in the queue was served to the next one."""
        if handed is None:
            self._out -= 1
            self._next_turn()
        elif not self.keep(handed, True):
            self._release_later(handed)

    def _next_turn(self) -> None:
        """Make a place for the first queued request if one is free (or all, once closed)."""
        queue = self._queue
        while queue and (self._closed or self._out < self._limit_now()):
            waiter = queue.popleft()
            if not waiter.done():
                self._out += 1
                waiter.set_result(None)

    def _limit_now(self) -> int:
        if self._limit is None:
            self._limit = self.pool.get_max_size() - 1
        return self._limit

    def _pop(self) -> PooledConnection:
        """The last connection kept, off the stack (the untouched ones end below it)."""
        idle = self._idle
        conn = idle.pop()
        if len(idle) < self._untouched:
            self._untouched = len(idle)
        return conn

    async def give_back(self, conn: PooledConnection, clean: bool) -> None:
        """Keep ``conn`` for the next request when ``clean``; else release it to the pool.

        ``clean``: the request's statements on it finished (no error, no cancellation).
        """
        if not self.keep(conn, clean):
            await self.release(conn)

    def keep(self, conn: PooledConnection, clean: bool) -> bool:
        """Keep ``conn`` for the next request if :meth:`give_back` would; whether it did.

        The first queued request gets it at once. When it was not kept, the caller
        releases it (:meth:`release`).
        """
        if not clean or self._closed or not _reusable(conn):
            return False
        queue = self._queue
        while queue:
            waiter = queue.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        if self._waiting or self._out > self._limit_now():
            return False
        self._idle.append(conn)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.hold_seconds,
                                                                self._period_over)
        return True

    async def close(self) -> None:
        """Release every kept connection; later ones given back are released at once.

        Queued requests acquire theirs from the pool.
        """
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._next_turn()
        idle, self._idle = self._idle, []
        self._untouched = 0
        await asyncio.gather(*(self.release(conn) for conn in idle), *self._releasing)

    async def release(self, conn: PooledConnection) -> None:
        """Give ``conn`` back to the pool, not kept (a request left it unclean, say).

        The pool's release waits for a cancelled statement and rolls back an open
        transaction. The first queued request gets the place it leaves.
        """
        self._out -= 1
        self._next_turn()
        await self.pool.release(conn)

    def _release_later(self, conn: PooledConnection) -> None:
        task = asyncio.ensure_future(self.release(conn))
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)

    def _period_over(self) -> None:
        """Release what stayed unused the whole period; keep timing while any is kept."""
        self._timer = None
        stale = self._idle[:self._untouched]
        del self._idle[:self._untouched]
        self._untouched = len(self._idle)
        for conn in stale:
            self._release_later(conn)
        if self._idle:
            self._timer = asyncio.get_running_loop().call_later(self.hold_seconds,
                                                                self._period_over)


def _reusable(conn: PooledConnection) -> bool:
    """Open and outside a transaction (a closed connection may already be back in the pool).

    A pool's proxy is asked through its connection: each call through the proxy is a
    wrapper that looks the method up by name, and this runs twice on every request.
    """
    if type(conn) is PoolConnectionProxy:
        # asyncpg's private attributes (not in its stubs): the proxy's connection (None
        # once released to the pool), and what its is_closed and is_in_transaction read,
        # without their two Python calls
        con: Any = cast(Any, conn)._con
        if type(con) is asyncpg.Connection:
            raw: Any = con
            protocol = raw._protocol
            return not raw._aborted and protocol.is_connected() \
                and not protocol.is_in_transaction()
        return con is not None and not con.is_closed() and not con.is_in_transaction()
    try:
        return not conn.is_closed() and not conn.is_in_transaction()
    except asyncpg.InterfaceError:  # closed: asyncpg released it to the pool already
        return False
