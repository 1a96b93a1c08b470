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
  cycles through the pool.
- While a request waits for the pool (more requests in flight than connections), every
  connection given back goes to the pool, whose waiters are served in turn: a request
  arriving later never takes a kept connection ahead of one already waiting.
"""

from __future__ import annotations

import asyncio
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
        """Connections checked out of the pool through here: in use or kept."""
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
        """A kept connection, else one acquired from the pool."""
        while self._idle:
            conn = self._pop()
            if _reusable(conn):
                return conn
            await self.release(conn)
        self._waiting += 1
        try:
            acquired: PooledConnection = await self.pool.acquire()
        finally:
            self._waiting -= 1
        self._out += 1
        return acquired

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

        When it did not, the caller releases it (:meth:`release`).
        """
        if self._limit is None:
            self._limit = self.pool.get_max_size() - 1
        if (clean and not self._waiting and not self._closed and self._out <= self._limit
                and _reusable(conn)):
            self._idle.append(conn)
            if self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(self.hold_seconds,
                                                                    self._period_over)
            return True
        return False

    async def close(self) -> None:
        """Release every kept connection; later ones given back are released at once."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        idle, self._idle = self._idle, []
        self._untouched = 0
        await asyncio.gather(*(self.release(conn) for conn in idle), *self._releasing)

    async def release(self, conn: PooledConnection) -> None:
        """Give ``conn`` back to the pool, not kept (a request left it unclean, say).

        The pool's release waits for a cancelled statement and rolls back an open
        transaction.
        """
        self._out -= 1
        await self.pool.release(conn)

    def _period_over(self) -> None:
        """Release what stayed unused the whole period; keep timing while any is kept."""
        self._timer = None
        stale = self._idle[:self._untouched]
        del self._idle[:self._untouched]
        self._untouched = len(self._idle)
        for conn in stale:
            task = asyncio.ensure_future(self.release(conn))
            self._releasing.add(task)
            task.add_done_callback(self._releasing.discard)
        if self._idle:
            self._timer = asyncio.get_running_loop().call_later(self.hold_seconds,
                                                                self._period_over)


def _reusable(conn: PooledConnection) -> bool:
    """Open and outside a transaction (a closed connection may already be back in the pool).

    A pool's proxy is asked through its connection: each call through the proxy is a
    wrapper that looks the method up by name, and this runs twice on every request.
    """
    if type(conn) is PoolConnectionProxy:
        # asyncpg's private attribute (not in its stubs); None once released to the pool
        con: asyncpg.Connection[Any] | None = cast(Any, conn)._con
        return con is not None and not con.is_closed() and not con.is_in_transaction()
    try:
        return not conn.is_closed() and not conn.is_in_transaction()
    except asyncpg.InterfaceError:  # closed: asyncpg released it to the pool already
        return False
