"""GraphQL over websockets: both subprotocols, auth at init, errors and close codes.

A real engine on loopback, real clients (the ``websockets`` library).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import pytest
from websockets.exceptions import ConnectionClosed

from devstack.services.engine import EngineHandle
from tests.conftest import ENGINE_ADMIN_SECRET
from tests.engine.auth.keys import JwtKeys
from tests.engine.subscriptions.conftest import SubscriptionEngine, start_subscription_engine
from tests.engine.subscriptions.wsclient import APOLLO_WS, PROTOCOLS, TRANSPORT_WS, WsClient

ADMIN = {"x-hasura-admin-secret": ENGINE_ADMIN_SECRET}


@pytest.fixture(scope="module")
def subs(start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
         jwt_keys: JwtKeys) -> SubscriptionEngine:
    """An engine with JWT auth over the item table (see the subscriptions' conftest)."""
    return start_subscription_engine(start_engine, create_database, jwt_keys)

ITEMS = "{ item(order_by: {id: asc}) { label } }"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_websocket_query_and_mutation_answered_then_completed(
        subs: SubscriptionEngine, protocol: str) -> None:
    """A query over the socket is answered then completed.

    GIVEN an admin connection WHEN a query runs THEN its data then ``complete``.
    """
    client = await WsClient.initialised(subs.url, protocol, ADMIN)
    await client.start("q", "{ item_aggregate { aggregate { count } } }")
    assert await client.result("q") == {"data": {"item_aggregate": {"aggregate": {
        "count": 3}}}}
    assert await client.receive() == {"type": "complete", "id": "q"}
    await client.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_websocket_jwt_user_sees_only_own_rows(subs: SubscriptionEngine,
                                                    protocol: str) -> None:
    """JWT at init decides the session.

    GIVEN bob's token in ``connection_init`` WHEN he queries items THEN only his row.
    """
    client = await WsClient.initialised(subs.url, protocol, subs.headers("bob"))
    await client.start("1", ITEMS)
    assert await client.result("1") == {"data": {"item": [{"label": "b1"}]}}
    await client.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_websocket_role_header_at_init_picks_the_role(subs: SubscriptionEngine,
                                                           protocol: str) -> None:
    """The admin secret with ``x-hasura-role`` and a user id runs as that user.

    GIVEN admin secret + role user + user id alice WHEN items are queried THEN alice's rows.
    """
    headers = {**ADMIN, "X-Hasura-Role": "user", "X-Hasura-User-Id": "alice"}
    client = await WsClient.initialised(subs.url, protocol, headers)
    await client.start("1", ITEMS)
    assert await client.result("1") == {"data": {"item": [{"label": "a1"}, {"label": "a2"}]}}
    await client.close()


async def test_websocket_bad_token_is_refused_graphql_transport_ws(
        subs: SubscriptionEngine) -> None:
    """A bad token at init closes with 4403 (graphql-transport-ws).

    GIVEN a token signed with another key WHEN sent at init THEN close 4403, no ack.
    """
    client = await WsClient.open(subs.url, TRANSPORT_WS)
    await client.send({"type": "connection_init", "payload": {"headers": {
        "Authorization": "Bearer not.a.token"}}})
    code, seen = await client.closed()
    assert code == 4403
    assert seen == []


async def test_websocket_expired_token_is_refused_graphql_ws(subs: SubscriptionEngine) -> None:
    """An expired token at init: ``connection_error`` then close 4400 (graphql-ws).

    GIVEN a token that expired WHEN sent at init THEN connection_error naming JWTExpired.
    """
    client = await WsClient.open(subs.url, APOLLO_WS)
    token = subs.keys.sign(subs.keys.claims(user_id="bob", lifetime=-120))
    await client.send({"type": "connection_init", "payload": {"headers": {
        "Authorization": f"Bearer {token}"}}})
    code, seen = await client.closed()
    assert code == 4400
    assert seen[0]["type"] == "connection_error"
    assert "JWTExpired" in seen[0]["payload"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_websocket_token_expiry_drops_the_connection(subs: SubscriptionEngine,
                                                          protocol: str) -> None:
    """When the JWT expires the server drops the socket without a close frame, as Hasura.

    GIVEN a token valid for five seconds and a live subscription
    WHEN it expires THEN the connection ends with no close frame (the client sees 1006)
    and no message after the results; the subscription's poller stops.
    """
    token = subs.keys.sign(subs.keys.claims(user_id="bob", lifetime=5))
    client = await WsClient.initialised(subs.url, protocol, {"Authorization": f"Bearer {token}"})
    await client.start("s", "subscription { item { label } }")
    assert await client.result("s") == {"data": {"item": [{"label": "b1"}]}}
    got, seen = await client.closed(wait=15)
    assert got is None  # no close frame received
    assert client.ws.close_code == 1006
    assert seen == []
    assert subs.stats()["subscribers"] == 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_websocket_validation_error_is_an_error_message(subs: SubscriptionEngine,
                                                             protocol: str) -> None:
    """An invalid operation gets the protocol's ``error``, in Hasura's error shape.

    GIVEN a field the role cannot see WHEN started THEN error (then complete).
    """
    client = await WsClient.initialised(subs.url, protocol, subs.headers("bob"))
    await client.start("bad", "{ item { owner } }")
    message = await client.receive()
    assert message["type"] == "error"
    errors = message["payload"] if protocol == TRANSPORT_WS else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "validation-failed"
    assert "owner" in errors[0]["message"]
    assert await client.receive() == {"type": "complete", "id": "bad"}
    await client.close()


async def test_websocket_duplicate_id_closes_4409_graphql_transport_ws(
        subs: SubscriptionEngine) -> None:
    """A second subscribe with a live id closes with 4409.

    GIVEN subscription "1" running WHEN another "1" starts THEN close 4409.
    """
    client = await WsClient.initialised(subs.url, TRANSPORT_WS, subs.headers("bob"))
    await client.start("1", "subscription { item { id } }")
    await client.result("1")
    await client.start("1", "subscription { item { id } }")
    code, _ = await client.closed()
    assert code == 4409


async def test_websocket_duplicate_id_is_an_error_graphql_ws(subs: SubscriptionEngine) -> None:
    """A second start with a live id is refused, the socket stays (graphql-ws).

    GIVEN subscription "1" running WHEN another "1" starts THEN error start-failed + complete.
    """
    client = await WsClient.initialised(subs.url, APOLLO_WS, subs.headers("bob"))
    await client.start("1", "subscription { item { id } }")
    await client.result("1")
    await client.start("1", "subscription { item { id } }")
    error = await client.receive()
    assert error["type"] == "error"
    assert error["payload"]["extensions"]["code"] == "start-failed"
    assert await client.receive() == {"type": "complete", "id": "1"}
    await client.close()


@pytest.mark.parametrize(("protocol", "code"), [(TRANSPORT_WS, 4400), (APOLLO_WS, None)])
async def test_websocket_malformed_message(subs: SubscriptionEngine, protocol: str,
                                           code: int | None) -> None:
    """A message that is not JSON: 4400 (graphql-transport-ws) or connection_error (graphql-ws).

    GIVEN an initialised socket WHEN it sends garbage THEN the protocol's answer.
    """
    client = await WsClient.initialised(subs.url, protocol, subs.headers("bob"))
    await client.ws.send("{not json")
    if code is not None:
        got, _ = await client.closed()
        assert got == code
        return
    message = await client.receive()
    assert message["type"] == "connection_error"
    await client.start("1", ITEMS)  # the socket still works
    assert await client.result("1") == {"data": {"item": [{"label": "b1"}]}}
    await client.close()


async def test_websocket_subscribe_before_init_closes_4401(subs: SubscriptionEngine) -> None:
    """graphql-transport-ws: subscribing before the ack closes with 4401.

    GIVEN no connection_init WHEN subscribe THEN close 4401.
    """
    client = await WsClient.open(subs.url, TRANSPORT_WS)
    await client.start("1", ITEMS)
    code, _ = await client.closed()
    assert code == 4401


async def test_websocket_second_init_closes_4429(subs: SubscriptionEngine) -> None:
    """A second connection_init closes with 4429.

    GIVEN an initialised socket WHEN connection_init again THEN close 4429.
    """
    client = await WsClient.initialised(subs.url, TRANSPORT_WS, subs.headers("bob"))
    await client.send({"type": "connection_init", "payload": {}})
    code, _ = await client.closed()
    assert code == 4429


async def test_websocket_huge_message_is_refused_1009(subs: SubscriptionEngine) -> None:
    """A message past the size limit closes the socket with 1009 (message too big).

    GIVEN the 1 MiB default WHEN a 2 MiB query is sent THEN close 1009.
    """
    client = await WsClient.initialised(subs.url, TRANSPORT_WS, subs.headers("bob"))
    # The server may close before the client has written the whole frame.
    with contextlib.suppress(ConnectionClosed):
        await client.start("1", "{ item { id } }" + " " * (2 * 1024 * 1024))
    code, _ = await client.closed(wait=30)
    assert code == 1009


async def test_websocket_keepalive_and_ping_pong(subs: SubscriptionEngine) -> None:
    """Keep-alives: ``ka`` (graphql-ws), ``ping`` answered by ``pong`` (graphql-transport-ws).

    GIVEN a 1 s keep-alive WHEN waiting THEN the protocol's keep-alive arrives; a client ping
    gets a pong.
    """
    import orjson

    apollo = await WsClient.initialised(subs.url, APOLLO_WS, subs.headers("bob"))
    raw = await asyncio.wait_for(apollo.ws.recv(), 5)
    assert orjson.loads(raw) == {"type": "ka"}
    await apollo.close()
    transport = await WsClient.initialised(subs.url, TRANSPORT_WS, subs.headers("bob"))
    await transport.send({"type": "ping", "payload": {"n": 1}})
    while True:
        message = orjson.loads(await asyncio.wait_for(transport.ws.recv(), 5))
        if message["type"] == "pong":
            assert message.get("payload") == {"n": 1}
            break
        assert message["type"] == "ping"
    await transport.close()


async def test_websocket_shutdown_closes_with_1001(
        start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
        jwt_keys: JwtKeys) -> None:
    """Stopping the engine closes its sockets with 1001 (going away).

    GIVEN a live subscription WHEN the engine is stopped THEN the client sees 1001.
    """
    own = start_subscription_engine(start_engine, create_database, jwt_keys)
    client = await WsClient.initialised(own.url, TRANSPORT_WS, own.headers("bob"))
    await client.start("s", "subscription { item { label } }")
    await client.result("s")
    stopping = asyncio.get_running_loop().run_in_executor(None, own.handle.server.stop)
    code, _ = await client.closed()
    await stopping
    assert code == 1001


async def test_websocket_no_init_closes_4408(subs: SubscriptionEngine) -> None:
    """A socket that never sends ``connection_init`` is closed with 4408.

    GIVEN the 3 s initialisation timeout WHEN a client connects and sends nothing
    THEN the server closes with 4408 after the timeout, not before.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    client = await WsClient.open(subs.url, TRANSPORT_WS)
    code, _ = await client.closed(wait=10)
    assert code == 4408
    assert loop.time() - started >= 2.9
