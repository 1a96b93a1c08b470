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

What a request's headers decide (the transport checks, the headers as text, the session)
depends on nothing else: the socket peer's address and the headers, byte for byte. A
client sends the same headers request after request, so it is worked out once per distinct
(peer address, header list) and kept in a small LRU (:class:`RequestHead`). Two requests
that differ in any header byte (another user id, role or secret) never share an entry.
Only heads that passed are kept: a refusal or a failed authentication is worked out anew
each time. A JWT is checked on every request (its expiry), from the kept token.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import orjson
from starlette.types import Receive, Scope, Send

from engine.auth.errors import AuthError
from engine.graphql.bodies import error_body
from engine.graphql.errors import GraphQLFieldError
from engine.graphql.plan import PreparedOperation
from engine.limits import RoleLimits
from engine.limits.operation import check_batch
from engine.limits.rate import rate_limited
from engine.lru import Lru
from engine.response_cache.serve import answer_cached, might_be_cached
from engine.server.client_address import parse_networks, request_client_address
from engine.server.cors import CorsPolicy
from engine.server.direct_cycle import header_lines
from engine.server.request_guard import (
    Headers,
    RequestRefusedError,
    check_request_headers,
    read_limited_body,
)
from engine.server.responses import Answer, graphql_error, json_answer, send_json_bytes
from engine.server.state import ServerState
from engine.session import Session

if TYPE_CHECKING:
    from engine.graphql.engine import GraphQLEngine

logger = logging.getLogger("engine.server")

HEADS_KEPT = 256
"""Distinct (peer address, header list) pairs whose :class:`RequestHead` is kept."""


MAX_REMEMBERED_BODY = 4096
"""The longest body a head remembers with its prepared operation (bytes)."""


class LastPrepared:
    """A body and the operation it prepared to, for one route and one engine."""

    __slots__ = ("body", "endpoint", "engine", "prepared")

    def __init__(self, body: bytes, endpoint: GraphQLEndpoint, engine: GraphQLEngine,
                 prepared: PreparedOperation) -> None:
        self.body = body
        self.endpoint = endpoint
        self.engine = engine
        self.prepared = prepared


class RequestHead:
    """What a request's headers decide before its body is read.

    Either ``refusal`` (the transport refuses the request: 415, 413, 400) or ``failure``
    (no acceptable credentials) is set, or the request goes on as ``found``: its
    :class:`Session`, or the JWT still to check. ``response_lines``, ``expect_continue``
    and ``names_connection`` are for the engine's HTTP protocol: the header lines every
    answer to these headers carries (CORS), whether the client waits for ``100 Continue``
    before the body, and whether a ``Connection`` header is among them (only then can an
    HTTP/1.0 client ask to be kept alive).
    """

    __slots__ = ("expect_continue", "failure", "found", "headers", "last_prepared",
                 "names_connection", "refusal", "response_lines")

    def __init__(self, headers: Mapping[str, str], found: Session | str | None = None,
                 refusal: Answer | None = None, failure: Answer | None = None,
                 response_lines: bytes = b"", expect_continue: bool = False,
                 names_connection: bool = True) -> None:
        self.headers = headers
        """The headers as text (lower-cased names; a repeated one keeps its last value),
        ``x-forwarded-for`` being the client address this engine vouches for."""
        self.found = found
        self.refusal = refusal
        self.failure = failure
        self.response_lines = response_lines
        self.expect_continue = expect_continue
        self.names_connection = names_connection
        self.last_prepared: LastPrepared | None = None
        """The last body these headers sent that prepared cleanly, with what it prepared
        to (see :meth:`GraphQLEndpoint.answer`)."""


class GraphQLEndpoint:
    """The route behind ``/v1/graphql`` (and its Relay and legacy variants).

    Its logic is transport-neutral: :meth:`refusal` before the body is read, then
    :meth:`answer` with the whole body, each giving status, body and extra headers. The
    ASGI app (``__call__``) and the engine's HTTP protocol (which answers these POSTs
    without the ASGI cycle, :mod:`engine.server.direct_cycle`) both call them.
    """

    def __init__(self, state: ServerState, *, legacy_statuses: bool = False,
                 relay: bool = False, cors: CorsPolicy | None = None) -> None:
        self.state = state
        self.cors = cors
        """The CORS policy whose headers a head renders (``response_lines``); the ASGI app
        adds its own on its path."""
        self.legacy_statuses = legacy_statuses
        self.relay = relay
        """Serve the Relay schema (``/v1beta1/relay``)."""
        self.trusted_proxies = parse_networks(",".join(state.settings.trusted_proxies))
        self.max_body_bytes = state.settings.max_body_bytes
        self._heads: Lru[tuple[Any, ...], RequestHead] = Lru(HEADS_KEPT)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request (ASGI)."""
        answer: Answer | None
        if scope["method"] != "POST":
            answer = json_answer(405, graphql_error("only POST is supported", "not-supported"))
        else:
            client = scope.get("client")
            head = self.head(scope["headers"], client[0] if client else None)
            answer = head.refusal
            if answer is None:
                try:
                    body = await read_limited_body(receive, self.max_body_bytes)
                except RequestRefusedError as exc:
                    answer = refused(exc)
                else:
                    answer = await self.answer(head, body)
        await send_json_bytes(send, *answer)

    def head(self, raw_headers: Headers, peer: str | None) -> RequestHead:
        """What the headers ``raw_headers`` of a POST from socket peer ``peer`` decide.

        Header names may come in any case (the engine's protocol passes them as sent).
        Kept for the next request with the same peer address and the same headers, byte
        for byte, when it passed (see the module's docstring).
        """
        key = (peer, *raw_headers)
        head = self._heads.get(key)
        if head is None:
            head = self._read_head([(name.lower(), value) for name, value in raw_headers], peer)
            if head.refusal is None and head.failure is None:
                self._heads.put(key, head)
        return head

    def _read_head(self, raw_headers: Headers, peer: str | None) -> RequestHead:
        lines = self._response_lines(raw_headers)
        expect = any(name == b"expect" and value.lower() == b"100-continue"
                     for name, value in raw_headers)
        connection = any(name == b"connection" for name, _ in raw_headers)
        try:
            check_request_headers(raw_headers, self.max_body_bytes)
        except RequestRefusedError as exc:
            return RequestHead(MappingProxyType({}), refusal=refused(exc), response_lines=lines,
                               names_connection=connection)
        # Header names come lower-cased; a repeated header keeps its last value.
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in raw_headers}
        # Rate limits here and behind the engine (actions get client headers) key on the
        # client address this engine vouches for, never on the client's X-Forwarded-For.
        client = request_client_address(peer, raw_headers, self.trusted_proxies)
        headers.pop("x-forwarded-for", None)
        if client is not None:
            headers["x-forwarded-for"] = client
        text = MappingProxyType(headers)  # shared by the requests of the same head
        try:
            return RequestHead(text, self.state.resolver.resolve_now(text),
                               response_lines=lines, expect_continue=expect,
                               names_connection=connection)
        except AuthError as exc:
            return RequestHead(text, failure=self._refused_credentials(exc),
                               response_lines=lines, expect_continue=expect,
                               names_connection=connection)

    def _response_lines(self, raw_headers: Headers) -> bytes:
        """The CORS header lines for a request with ``raw_headers`` (lower-cased names).

        An origin echoed back with a control character in it gets none.
        """
        cors = None if self.cors is None else self.cors.for_request(raw_headers)
        if not cors:
            return b""
        try:
            return header_lines(cors)
        except RuntimeError:
            return b""

    def _refused_credentials(self, exc: AuthError) -> Answer:
        """The answer to credentials refused (200, or the error's status on legacy routes)."""
        return json_answer(exc.status if self.legacy_statuses else 200,
                           graphql_error(exc.message, exc.code))

    async def answer(self, head: RequestHead, body: bytes) -> Answer:
        """The answer to a POST whose headers passed (``head``) with ``body``.

        Every error the request can cause is answered here; an exception escaping is the
        server's own fault (the transport answers it 500).
        """
        if head.failure is not None:
            return head.failure
        headers = head.headers
        found = head.found
        if isinstance(found, Session):
            session = found
            last = head.last_prepared
            if last is not None and last.endpoint is self and last.body == body:
                holder = self.state.graphql
                if holder is not None and last.engine is holder.current:
                    return await self._answer_prepared(last.engine, last.prepared)
        else:  # a JWT, checked each time (it expires)
            assert found is not None
            try:
                session = await self.state.resolver.token_session(found, headers)
            except AuthError as exc:
                return self._refused_credentials(exc)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return json_answer(200, graphql_error("invalid JSON in the request body",
                                                  "invalid-json"))
        holder = self.state.graphql
        engine = None if holder is None else holder.current
        if engine is None:
            return json_answer(200, graphql_error("the GraphQL schema is not available",
                                                  "unexpected"))
        limits = engine.limits.for_role(session.role)
        if not limits.unlimited:
            try:
                await self._admit(headers, limits, session, payload)
            except GraphQLFieldError as exc:
                return json_answer(400 if self.legacy_statuses else 200,
                                   {"errors": [exc.to_json()]})
        cache = self.state.response_cache
        extra = None
        try:
            if cache is not None and might_be_cached(payload):
                out, extra = await answer_cached(engine, cache, payload, session, headers,
                                                 self.relay)
            elif isinstance(payload, dict):  # one request: execute's, without its coroutine
                try:
                    prepared = engine.prepare_http(payload, session, headers, self.relay)
                except Exception as exc:
                    out = error_body(exc)
                else:
                    if limits.unlimited and head.found is session \
                            and len(body) <= MAX_REMEMBERED_BODY:
                        head.last_prepared = LastPrepared(body, self, engine, prepared)
                    try:
                        out = await engine.answer(prepared)
                    except Exception as exc:
                        out = error_body(exc)
            else:
                out = await engine.execute(payload, session, headers, relay=self.relay)
        except Exception:
            logger.exception("unexpected error answering a GraphQL request")
            return json_answer(500, graphql_error("unexpected error", "unexpected"))
        return self._answered(out, extra)

    async def _answer_prepared(self, engine: GraphQLEngine,
                               prepared: PreparedOperation) -> Answer:
        """The answer to a body these headers sent before, prepared then for this engine.

        The same headers (so the same session, from the same peer) and the same body bytes
        prepare to the same operation: parsing the JSON and looking the operation and its
        plan up again would find what :meth:`answer` kept. Only a request whose role has no
        ``api_limits`` and that the response cache passed by is remembered; a new engine
        (metadata changed) prepares again.
        """
        try:
            out = await engine.answer(prepared)
        except Exception as exc:
            out = error_body(exc)
        return self._answered(out)

    def _answered(self, out: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> Answer:
        """``out`` as this route answers it: 200, or on a legacy route an error's status."""
        if self.legacy_statuses and out.startswith(b'{"errors"'):
            return _legacy_status(out), out, extra
        return 200, out, extra

    async def _admit(self, headers: Mapping[str, str], limits: RoleLimits, session: Session,
               payload: Any) -> None:
        """Apply the role's batch and rate limits (``limits`` has some) to a request.

        Raises:
            GraphQLFieldError: the batch is too large, or the caller is over its rate.
        """
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


def refused(exc: RequestRefusedError) -> Answer:
    """A transport refusal (415, 413, 400) answered as a GraphQL error."""
    return json_answer(exc.status, graphql_error(exc.message, exc.code))


def _legacy_status(body: bytes) -> int:
    """The status ``/v1alpha1/graphql`` gives a response that is only errors."""
    try:
        code = orjson.loads(body)["errors"][0]["extensions"]["code"]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        return 400
    return 500 if code in _SERVER_ERROR_CODES else 400


_SERVER_ERROR_CODES = frozenset({"unexpected", "postgres-error", "postgres-max-connections-error"})
"""Codes ``/v1alpha1/graphql`` answers with 500, as Hasura (its other errors are 400s)."""
