"""The engine's HTTP client for action handlers: bounded keep-alive connections, a fair line."""

from __future__ import annotations

import asyncio
import dataclasses
import select
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.ports import free_port
from devstack.services.http import HttpService, uvicorn_argv
from devstack.settings import StackSettings
from engine.actions.handler_client import HandlerClient
from engine.events.transport import target_of
from tests.engine.events.recorder import Answer, Received, WebhookRecorder

JSON = [(b"content-type", b"application/json")]


async def test_handler_client_bounds_calls_in_flight_and_keeps_connections_alive() -> None:
    """GIVEN a handler taking 20 ms per call, and a client with 4 places.

    WHEN 24 calls are made at once
    THEN all are answered, never more than 4 are at the handler at a time, and they share
    4 kept-alive connections.
    """
    in_flight = 0
    peak = 0

    async def slow(_n: int, received: Received) -> Answer:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return Answer(200, received.body)

    client = HandlerClient(connections=4)
    try:
        async with WebhookRecorder(slow) as hook:
            address = hook.url.removeprefix("http://")
            answers = await asyncio.gather(*(
                client.post(hook.url + "/placeBid", b'{"n":%d}' % n, JSON, 10.0)
                for n in range(24)))
    finally:
        await client.aclose()

    assert [a.content for a in answers] == [b'{"n":%d}' % n for n in range(24)]
    assert {a.status_code for a in answers} == {200}
    assert peak == 4
    assert hook.connections == 4
    assert {r.headers["host"] for r in hook.received} == {address}


async def test_handler_client_serves_its_line_in_order_and_times_out_waiting() -> None:
    """GIVEN a client with one place and a handler holding each call 300 ms.

    WHEN three calls queue (the last allowed only 100 ms in line)
    THEN the first two reach the handler in the order they were made, and the last fails
    with httpx's PoolTimeout without reaching it.
    """

    async def held(_n: int, _r: Received) -> Answer:
        await asyncio.sleep(0.3)
        return Answer()

    client = HandlerClient(connections=1)
    try:
        async with WebhookRecorder(held) as hook:
            first = asyncio.create_task(client.post(hook.url + "/a", b"1", JSON, 5.0))
            await asyncio.sleep(0)
            second = asyncio.create_task(client.post(hook.url + "/b", b"2", JSON, 5.0))
            await asyncio.sleep(0)
            with pytest.raises(httpx.PoolTimeout):
                await client.post(hook.url + "/c", b"3", JSON, 0.1)
            await asyncio.gather(first, second)
    finally:
        await client.aclose()

    assert [r.path for r in hook.received] == ["/a", "/b"]


def test_handler_client_target_keeps_query_port_and_credentials() -> None:
    """GIVEN handler URLs with a query, a port, IPv6 and credentials.

    WHEN they are parsed
    THEN the request line, Host and Basic auth are what httpx would send.
    """
    plain = target_of("http://127.0.0.1:3000/placeBid?x=1")
    assert (plain.host, plain.port, plain.path) == ("127.0.0.1", 3000, b"/placeBid?x=1")
    assert plain.headers == [(b"Host", b"127.0.0.1:3000")]
    assert target_of("http://[::1]:8080/").headers == [(b"Host", b"[::1]:8080")]
    secured = target_of("https://us%40er:pw@example.com/hook")
    signed = next(httpx.BasicAuth("us@er", "pw").auth_flow(httpx.Request("POST", "https://x")))
    assert secured.headers == [(b"Host", b"example.com"),
                               (b"Authorization", signed.headers["authorization"].encode())]


@pytest.fixture
def idle_closing_handler(state_root: Path) -> Iterator[HttpService]:
    """The test handler under uvicorn, closing connections idle for a second."""
    port = free_port()
    settings = dataclasses.replace(StackSettings.load(),
                                   state_dir=state_root / "idle-closing-handler")
    service = HttpService(settings, "idle-closing-handler", port,
                          [*uvicorn_argv("tests.engine.actions.handler_app:app", port),
                           "--timeout-keep-alive", "1"],
                          description="action handler closing idle connections")
    service.start()
    yield service
    service.stop()


def _wait_for_the_servers_close(client: HandlerClient, deadline: float = 30.0) -> None:
    """Block (not letting the event loop read) until the idle connection's socket sees EOF.

    So the engine's loop has not noticed the close when the next call is made: the case
    of a close that arrives just before a call.
    """
    (idle,) = [conn for conns in client.transport._idle.values() for conn in conns]
    assert idle.transport is not None
    fd = idle.transport.get_extra_info("socket").fileno()
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    if not poller.poll(deadline * 1000):
        pytest.fail(f"the server kept the idle connection open for {deadline} s")
    assert not idle.closed


async def test_handler_client_skips_a_connection_the_handler_closed_while_idle(
    idle_closing_handler: HttpService,
) -> None:
    """GIVEN uvicorn closing idle connections, and a call that left one kept alive.

    WHEN the handler has closed it (unseen by the event loop yet) and a second call is made
    THEN the second call goes out on a fresh connection and runs once: the handler counts
    exactly two calls.
    """
    client = HandlerClient(connections=1)
    url = idle_closing_handler.url() + "/count"
    try:
        first = await client.post(url, b"{}", JSON, 10.0)
        _wait_for_the_servers_close(client)
        second = await client.post(url, b"{}", JSON, 10.0)
    finally:
        await client.aclose()

    assert (first.status_code, first.content) == (200, b'{"call":1}')
    assert (second.status_code, second.content) == (200, b'{"call":2}')


async def test_handler_client_never_sends_a_call_twice() -> None:
    """GIVEN a handler closing a kept-alive connection, unanswered, on its second call.

    (It received the call and may have run it.)
    WHEN that call is made
    THEN it fails with httpx's error and is not sent again: the handler received it once.
    """
    client = HandlerClient(connections=1)
    try:
        async with WebhookRecorder(lambda n, _r: Answer(hang_up=n == 1)) as hook:
            await client.post(hook.url + "/placeBid", b'{"n":1}', JSON, 10.0)
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                await client.post(hook.url + "/placeBid", b'{"n":2}', JSON, 10.0)
    finally:
        await client.aclose()

    assert [r.body for r in hook.received] == [b'{"n":1}', b'{"n":2}']
    assert hook.connections == 1
