"""The websocket handshake's ``Origin`` against the CORS configuration, as Hasura checks it."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from devstack.services.engine import EngineHandle
from engine.auth.resolver import SessionResolver
from engine.server.cors import CorsPolicy
from engine.server.state import ServerState
from engine.server.websocket import GraphQLWebSocket
from engine.settings import EngineSettings, Secret
from tests.engine.auth.keys import JwtKeys
from tests.engine.subscriptions.conftest import SubscriptionEngine, start_subscription_engine
from tests.engine.subscriptions.wsclient import TRANSPORT_WS


@pytest.fixture(scope="module")
def listed(start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
           jwt_keys: JwtKeys) -> SubscriptionEngine:
    """An engine whose CORS domains are one exact origin and one wildcard."""
    return start_subscription_engine(
        start_engine, create_database, jwt_keys,
        HASURA_GRAPHQL_CORS_DOMAIN="https://app.example.com, https://*.example.org")


async def _subscribe(url: str, origin: str | None, token: str) -> dict[str, object]:
    ws = await connect(url.replace("http://", "ws://") + "/v1/graphql", open_timeout=10,
                       subprotocols=[TRANSPORT_WS],  # type: ignore[list-item]
                       origin=origin)  # type: ignore[arg-type]
    try:
        await ws.send(orjson.dumps({"type": "connection_init", "payload": {"headers": {
            "Authorization": f"Bearer {token}"}}}).decode())
        while True:
            message: dict[str, object] = orjson.loads(await ws.recv())
            if message.get("type") != "ping":  # the keep-alive sent at once
                return message
    finally:
        await ws.close()


@pytest.mark.parametrize("origin", ["https://app.example.com", "https://live.example.org",
                                    None])
async def test_websocket_origin_listed_or_absent_is_accepted(listed: SubscriptionEngine,
                                                            origin: str | None) -> None:
    """A listed origin, a wildcard match or no ``Origin`` at all is accepted.

    GIVEN CORS domains app.example.com and *.example.org
    WHEN a socket opens from a listed origin, a wildcard match, or without Origin
    THEN it is accepted and initialised.
    """
    assert await _subscribe(listed.url, origin, listed.token("bob")) == {
        "type": "connection_ack"}


@pytest.mark.parametrize("origin", ["https://evil.example.net", "http://app.example.com",
                                    "https://example.org"])
async def test_websocket_origin_not_listed_is_refused_400(listed: SubscriptionEngine,
                                                         origin: str) -> None:
    """Any other origin is refused at the handshake.

    GIVEN the same CORS domains WHEN a socket opens from another origin (or scheme)
    THEN the handshake is refused with 400 and Hasura's access-denied error.
    """
    with pytest.raises(InvalidStatus) as refused:
        await _subscribe(listed.url, origin, listed.token("bob"))
    response = refused.value.response
    assert response.status_code == 400
    assert orjson.loads(response.body or b"") == {"errors": [{
        "extensions": {"path": "$", "code": "access-denied"},
        "message": "received origin header does not match configured CORS domains"}]}


def _app(cors: CorsPolicy, *, ws_read_cookie: bool = False) -> GraphQLWebSocket:
    state = ServerState(EngineSettings(Secret("postgresql://unused"),
                                       ws_read_cookie=ws_read_cookie),
                        SessionResolver(admin_secret=None))
    return GraphQLWebSocket(state, cors)


def _scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "websocket", "path": "/v1/graphql",
            "headers": [(b"host", b"engine"), (b"sec-websocket-key", b"k"), *headers]}


def test_websocket_admit_with_cors_disabled_drops_the_cookie() -> None:
    """With CORS disabled the socket's cookie is not read.

    GIVEN CORS disabled WHEN a browser socket opens with a cookie
    THEN it is accepted without the cookie, unless HASURA_GRAPHQL_WS_READ_COOKIE is set;
    handshake-only headers are never kept.
    """
    scope = _scope((b"origin", b"https://anywhere.example"), (b"cookie", b"s=1"),
                   (b"x-hasura-role", b"user"))
    disabled = CorsPolicy.from_settings(("*",), disabled=True)
    assert _app(disabled).admit(scope) == {"origin": "https://anywhere.example",
                                           "x-hasura-role": "user"}
    assert _app(disabled, ws_read_cookie=True).admit(scope) == {
        "origin": "https://anywhere.example", "cookie": "s=1", "x-hasura-role": "user"}


def test_websocket_admit_default_cors_accepts_any_origin() -> None:
    """GIVEN the default CORS (``*``) WHEN any origin opens a socket THEN it is accepted."""
    scope = _scope((b"origin", b"https://anywhere.example"), (b"cookie", b"s=1"))
    assert _app(CorsPolicy.from_settings(("*",))).admit(scope) == {
        "origin": "https://anywhere.example", "cookie": "s=1"}
