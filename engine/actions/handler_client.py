"""HTTP to action handlers: a bounded set of kept-alive connections, and a fair line for the rest.

At most ``connections`` calls are in flight at once, each on a connection kept alive for
the next call; further calls wait in line, first come first served, and a call that cannot
start within its action's timeout fails as a timeout. Requests go straight to the lean
HTTP/1.1 transport that event delivery uses (no proxies, no HTTP/2), with httpx's errors.

A call is never sent twice: an action may not be idempotent (a bid, a sign-up). A kept-alive
connection the handler closed while idle is noticed before the call is written and another
one is used; a call written on a connection that then closes without an answer fails
(Hasura's "http exception when calling webhook"), since the handler may have run it.

httpx's client and default pool are not used: httpcore matches every queued request
against every connection each time a connection frees up, and checks each connection's
socket, so a burst of 1,000 calls spent over half the engine's CPU in that bookkeeping and
answered every call late; the client's own layers (headers, cookies, redirects) cost
another third of a call. A semaphore's line costs the same for any length.
"""

from __future__ import annotations

import asyncio

import httpx

from engine.events.transport import Answer, KeepAliveTransport, target_of

HANDLER_CONNECTIONS = 100
"""Calls in flight to the action handlers at once (httpx's own default cap)."""


class HandlerClient:
    """Keep-alive connections to every handler, behind a fair line of ``connections`` places."""

    def __init__(self, connections: int = HANDLER_CONNECTIONS) -> None:
        self.connections = connections
        self.transport = KeepAliveTransport(max_idle=connections, resend_unanswered=False)
        self._slots = asyncio.Semaphore(connections)

    async def post(self, url: str, content: bytes, headers: list[tuple[bytes, bytes]],
                   seconds: float) -> Answer:
        """POST once a place is free, within ``seconds`` in line and ``seconds`` per step.

        Raises httpx's exceptions: ``PoolTimeout`` after ``seconds`` in line, then those of
        the transport (``ConnectError``, ``ReadTimeout``, ...).
        """
        target = target_of(url)
        if target.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {target.scheme!r}")
        if self._slots.locked():  # a line: wait in it, at most ``seconds``
            try:
                async with asyncio.timeout(seconds):
                    await self._slots.acquire()
            except TimeoutError:
                raise httpx.PoolTimeout("no free connection to the handler in time") from None
        else:
            await self._slots.acquire()  # a free place and nobody waiting: at once
        try:
            return await self.transport.exchange(
                target.scheme, target.host, target.port, b"POST", target.path,
                [*target.headers, *headers], content, seconds, seconds)
        finally:
            self._slots.release()

    async def aclose(self) -> None:
        """Close the kept-alive connections."""
        await self.transport.aclose()
