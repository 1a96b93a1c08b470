"""``POST /v1/graphql``: authenticate, parse, hand the request to the GraphQL engine.

Written as a bare ASGI app: on a cached document the engine's own work is small, so the
per-request Python around it (request objects, header wrappers, JSON) is kept minimal.
Every error is answered with status 200 in the ``errors`` list, as Hasura does. The older
``/v1alpha1/graphql`` answers a request that failed as a whole with the error's own status
(400, 401 for a wrong admin secret), as Hasura still does there. Transport refusals come
first and carry their own status: 415 for a body that is not declared JSON, 413 for one
past ``ENGINE_MAX_BODY_BYTES`` (see :mod:`engine.server.request_guard`).

A ``@cached`` query is answered through the response cache when one is configured
(:mod:`engine.response_cache`).

The batch and rate limits of ``api_limits`` are checked here, once the role is known and
before anything runs; depth, node and time limits are the engine's (they need the
operation).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from engine.auth.errors import AuthError
from engine.graphql.errors import GraphQLFieldError
from engine.limits import RoleLimits
from engine.limits.operation import check_batch
from engine.limits.rate import rate_limited
from engine.response_cache.serve import answer_cached, might_be_cached
from engine.server.client_address import parse_networks, scope_client_address
from engine.server.request_guard import read_json_request
from engine.server.responses import graphql_error, send_json, send_json_bytes
from engine.server.state import ServerState
from engine.session import Session

logger = logging.getLogger("engine.server")


class GraphQLEndpoint:
    """The ASGI app behind ``/v1/graphql``."""

    def __init__(self, state: ServerState, *, legacy_statuses: bool = False,
                 relay: bool = False) -> None:
        self.state = state
        self.legacy_statuses = legacy_statuses
        self.relay = relay
        """Serve the Relay schema (``/v1beta1/relay``)."""
        self.trusted_proxies = parse_networks(",".join(state.settings.trusted_proxies))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request."""
        if scope["method"] != "POST":
            await send_json(send, 405, graphql_error("only POST is supported", "not-supported"))
            return
        body = await read_json_request(scope, receive, send,
                                       self.state.settings.max_body_bytes, graphql_error)
        if body is None:
            return
        # ASGI servers hand header names lower-cased; a repeated header keeps its last value.
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        # Rate limits here and behind the engine (actions get client headers) key on the
        # client address this engine vouches for, never on the client's X-Forwarded-For.
        client = scope_client_address(scope, self.trusted_proxies)
        headers.pop("x-forwarded-for", None)
        if client is not None:
            headers["x-forwarded-for"] = client
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
            await self._admit(headers, engine.limits.for_role(session.role), session, payload)
        except GraphQLFieldError as exc:
            status = 400 if self.legacy_statuses else 200
            await send_json_bytes(send, status, orjson.dumps({"errors": [exc.to_json()]}))
            return
        cache = self.state.response_cache
        extra = None
        try:
            if cache is not None and might_be_cached(payload):
                out, extra = await answer_cached(engine, cache, payload, session, headers,
                                                 self.relay)
            else:
                out = await engine.execute(payload, session, headers, relay=self.relay)
        except Exception:
            logger.exception("unexpected error answering a GraphQL request")
            await send_json(send, 500, graphql_error("unexpected error", "unexpected"))
            return
        status = 200
        if self.legacy_statuses and out.startswith(b'{"errors"'):
            status = _legacy_status(out)
        await send_json_bytes(send, status, out, extra)

    async def _admit(self, headers: dict[str, str], limits: RoleLimits, session: Session,
               payload: Any) -> None:
        """Apply the role's batch and rate limits to a request of one or more operations.

        Raises:
            GraphQLFieldError: the batch is too large, or the caller is over its rate.
        """
        if limits.unlimited:
            return
        count = len(payload) if isinstance(payload, list) else 1
        check_batch(limits, count)
        rate = limits.rate
        if rate is None:
            return
        if rate.by_ip:
            unique: Any = headers.get("x-forwarded-for")
        elif rate.unique_params:
            unique = tuple(session.variables.get(name) for name in rate.unique_params)
        else:
            unique = None
        retry_after = await self.state.limiter.check((session.role, unique),
                                                     rate.max_reqs_per_min, max(count, 1))
        if retry_after is not None:
            raise rate_limited(retry_after)


def _legacy_status(body: bytes) -> int:
    """The status ``/v1alpha1/graphql`` gives a response that is only errors."""
    try:
        code = orjson.loads(body)["errors"][0]["extensions"]["code"]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        return 400
    return 500 if code in _SERVER_ERROR_CODES else 400


_SERVER_ERROR_CODES = frozenset({"unexpected", "postgres-error", "postgres-max-connections-error"})
"""Codes ``/v1alpha1/graphql`` answers with 500, as Hasura (its other errors are 400s)."""
