"""The keep-alive HTTP/1.1 transport that webhook delivery uses under httpx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from devstack.ports import free_port
from engine.events.transport import KeepAliveTransport
from tests.engine.events.recorder import Answer, Received, WebhookRecorder


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=KeepAliveTransport(max_idle=4)) as http:
        yield http


RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def raw_server(handler: RawHandler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/hook"


async def test_transport_posts_and_reuses_the_connection(client: httpx.AsyncClient) -> None:
    """GIVEN a webhook answering with Retry-After.

    WHEN two POSTs are sent one after the other
    THEN both arrive with body and headers over one connection, and the answer is whole.
    """
    answer = Answer(201, b'{"ok":1}', {"Retry-After": "3"})
    async with WebhookRecorder(lambda _n, _r: answer) as hook:
        first = await client.post(hook.url + "/a?x=1", content=b'{"n":1}',
                                  headers={"X-Test": "yes"})
        second = await client.post(hook.url + "/b", content=b'{"n":2}')

    assert (first.status_code, first.json(), first.headers["retry-after"]) == (201, {"ok": 1}, "3")
    assert second.status_code == 201
    assert [r.path for r in hook.received] == ["/a?x=1", "/b"]
    assert hook.received[0].body == b'{"n":1}'
    assert hook.received[0].headers["x-test"] == "yes"
    assert hook.received[0].headers["content-length"] == "7"
    assert hook.connections == 1


async def _until_idle_connections_closed(transport: KeepAliveTransport) -> None:
    """Wait (30 s at most) until every idle connection's socket has seen the server's close."""
    for _ in range(3000):
        if not any(conn.usable() for conns in transport._idle.values() for conn in conns):
            return
        await asyncio.sleep(0.01)
    pytest.fail("the server's close never reached the idle connection")


async def test_transport_skips_an_idle_connection_the_server_dropped() -> None:
    """GIVEN a kept-alive connection the server has since closed.

    WHEN the next POST goes out
    THEN it is sent once, on a fresh connection, and succeeds.
    """
    transport = KeepAliveTransport(max_idle=4, resend_unanswered=False)
    async with httpx.AsyncClient(transport=transport) as client, WebhookRecorder() as hook:
        await client.post(hook.url, content=b"{}")
        hook.drop_connections()
        await _until_idle_connections_closed(transport)
        again = await client.post(hook.url, content=b"{}")

    assert again.status_code == 200
    assert len(hook.received) == 2
    assert hook.connections == 2


async def test_transport_resends_an_unanswered_request_only_when_allowed() -> None:
    """GIVEN a server that closes a kept-alive connection on the second request, unanswered.

    WHEN that request is sent by a transport allowed to resend, and by one that is not
    THEN the first sends it again on a fresh connection (answered: the server got it twice,
    as at-least-once delivery allows); the second fails and the server got it once.
    """
    hang_up_second = lambda n, _r: Answer(hang_up=n == 1)  # noqa: E731
    for resend, expected in ((True, [b"1", b"2", b"2"]), (False, [b"1", b"2"])):
        transport = KeepAliveTransport(max_idle=4, resend_unanswered=resend)
        async with httpx.AsyncClient(transport=transport) as client, \
                WebhookRecorder(hang_up_second) as hook:
            await client.post(hook.url, content=b"1")
            if resend:
                again = await client.post(hook.url, content=b"2")
                assert again.status_code == 200
            else:
                with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                    await client.post(hook.url, content=b"2")
        assert [r.body for r in hook.received] == expected


async def test_transport_reads_chunked_and_close_delimited_answers(
    client: httpx.AsyncClient,
) -> None:
    """GIVEN servers answering chunked, then with Connection: close and no length.

    WHEN a POST is sent to each
    THEN both bodies are read whole.
    """

    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(2)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        await writer.drain()
        await reader.read()  # until the client lets go of the kept-alive connection
        writer.close()

    async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(2)
        writer.write(b"HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\nbroken")
        await writer.drain()
        writer.close()

    first_server, first_url = await raw_server(chunked)
    second_server, second_url = await raw_server(closing)
    try:
        first = await client.post(first_url, content=b"{}")
        second = await client.post(second_url, content=b"{}")
    finally:
        await client.aclose()
        first_server.close()
        second_server.close()
        await first_server.wait_closed()
        await second_server.wait_closed()

    assert first.text == "abcde"
    assert (second.status_code, second.text) == (500, "broken")


async def test_transport_times_out_and_refuses_like_httpx(client: httpx.AsyncClient) -> None:
    """GIVEN a webhook slower than the timeout, and a port nobody listens on.

    WHEN each is called
    THEN httpx's ReadTimeout and ConnectError are raised.
    """

    async def slow(_n: int, _r: Received) -> Answer:
        await asyncio.sleep(1)
        return Answer()

    async with WebhookRecorder(slow) as hook:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(hook.url, content=b"{}", timeout=0.2)
    with pytest.raises(httpx.ConnectError):
        await client.post(f"http://127.0.0.1:{free_port()}/", content=b"{}")


async def test_transport_reads_informational_then_final_and_refuses_truncated(
    client: httpx.AsyncClient,
) -> None:
    """GIVEN servers answering 103 then 200, an empty 204, and a body cut short.

    WHEN a POST is sent to each
    THEN the 200's body and the 204 are read whole; the cut one fails with httpx's ReadError.
    """

    def serving(answer: bytes) -> RawHandler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(2)
            writer.write(answer)
            await writer.drain()
            writer.close()
        return handler

    answers = [
        b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
        b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    ]
    servers = [await raw_server(serving(a)) for a in answers]
    try:
        early = await client.post(servers[0][1], content=b"{}")
        empty = await client.post(servers[1][1], content=b"{}")
        with pytest.raises(httpx.ReadError):
            await client.post(servers[2][1], content=b"{}")
    finally:
        for server, _ in servers:
            server.close()
            await server.wait_closed()

    assert (early.status_code, early.text) == (200, "ok")
    assert (empty.status_code, empty.content) == (204, b"")


async def test_transport_refuses_header_values_that_would_split_the_request(
    client: httpx.AsyncClient,
) -> None:
    """GIVEN a header value carrying a line break (a forged second header).

    WHEN it is sent
    THEN httpx's LocalProtocolError is raised and nothing reaches the server.
    """
    async with WebhookRecorder() as hook:
        with pytest.raises(httpx.LocalProtocolError):
            await client.post(hook.url, content=b"{}",
                              headers={"X-Note": "a\r\nX-Hasura-Role: admin"})
    assert hook.received == []
