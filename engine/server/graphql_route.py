"""``POST /v1/graphql``: authenticate, parse, hand the request to the GraphQL engine.

Written as a bare ASGI app: on a cached document the engine's own work is small, so the
per-request Python around it (request objects, header wrappers, JSON) is kept minimal.
Every error is answered with status 200 in the ``errors`` list, as Hasura does. The older
``/v1alpha1/graphql`` answers a request that failed as a whole with the error's own status
(400, 401 for a wrong admin secret), as Hasura still does there.
"""

from __future__ import annotations

import logging

import orjson
from starlette.types import Receive, Scope, Send

from engine.auth.errors import AuthError
from engine.server.responses import graphql_error, read_body, send_json, send_json_bytes
from engine.server.state import ServerState

logger = logging.getLogger("engine.server")


class GraphQLEndpoint:
    """The ASGI app behind ``/v1/graphql``."""

    def __init__(self, state: ServerState, *, legacy_statuses: bool = False,
                 relay: bool = False) -> None:
        self.state = state
        self.legacy_statuses = legacy_statuses
        self.relay = relay
        """Serve the Relay schema (``/v1beta1/relay``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request."""
        if scope["method"] != "POST":
            await send_json(send, 405, graphql_error("only POST is supported", "not-supported"))
            return
        body = await read_body(receive)
        # ASGI servers hand header names lower-cased; a repeated header keeps its last value.
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            session = await self.state.resolver.resolve(headers)
        except AuthError as exc:
            status = exc.status if self.legacy_statuses else 200
            await send_json(send, status, graphql_error(exc.message, exc.code))
            return
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            await send_json(send, 200, graphql_error("invalid JSON in the request body",
                                                     "invalid-json"))
            return
        holder = self.state.graphql
        engine = None if holder is None else holder.current
        if engine is None:
            await send_json(send, 200, graphql_error("the GraphQL schema is not available",
                                                     "unexpected"))
            return
        try:
            out = await engine.execute(payload, session, headers, relay=self.relay)
        except Exception:
            logger.exception("unexpected error answering a GraphQL request")
            await send_json(send, 500, graphql_error("unexpected error", "unexpected"))
            return
        status = 200
        if self.legacy_statuses and out.startswith(b'{"errors"'):
            status = _legacy_status(out)
        await send_json_bytes(send, status, out)


def _legacy_status(body: bytes) -> int:
    """The status ``/v1alpha1/graphql`` gives a response that is only errors."""
    try:
        code = orjson.loads(body)["errors"][0]["extensions"]["code"]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        return 400
    return 500 if code == "unexpected" else 400
