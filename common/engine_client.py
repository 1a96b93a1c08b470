"""The one HTTP client of the engine's APIs, in a sync and an async form.

GraphQL (``/v1/graphql``), metadata (``/v1/metadata``) and query (``/v1/query``,
``/v2/query``) calls, with the admin secret when one is given. The local stack, its metadata
commands, the test fixtures, the conformance runner, the timeline and the auction code all
call the engine through these two classes; they share the URLs, headers and request bodies,
and differ only in the httpx client under them. It lives in ``common/`` because the service
image ships it without the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import orjson

GRAPHQL_PATH = "/v1/graphql"
METADATA_PATH = "/v1/metadata"
QUERY_PATH = "/v1/query"
RUN_SQL_PATH = "/v2/query"

KEEPALIVE_EXPIRY = 2.0
"""Seconds an idle connection is kept for the next call: well under the engine's own 5 s
keep-alive timeout (uvicorn's). With both at 5 s, a call made as the server's timer fires
was written to a socket the server then closed unread: the call failed with "connection
reset" or "server disconnected" (more often on a busy server, whose loop runs that timer
before reading the request that arrived just before it)."""


class EngineCallError(RuntimeError):
    """The engine was unreachable or answered with errors (the message never has variables)."""


def base_url(endpoint: str) -> str:
    """The engine's base URL from an endpoint that may end in ``/v1/graphql``.

    The Hasura CLI takes the bare base URL; Lambdas get the GraphQL URL. Both are accepted.
    """
    endpoint = endpoint.rstrip("/")
    for suffix in (GRAPHQL_PATH, METADATA_PATH):
        if endpoint.endswith(suffix):
            return endpoint[: -len(suffix)]
    return endpoint


def graphql_body(query: str, variables: Mapping[str, Any] | None = None,
                 operation_name: str | None = None) -> dict[str, Any]:
    """A GraphQL request body."""
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = dict(variables)
    if operation_name is not None:
        body["operationName"] = operation_name
    return body


def run_sql_body(sql: str, **options: Any) -> dict[str, Any]:
    """A ``run_sql`` request body."""
    return {"type": "run_sql", "args": {"sql": sql, **options}}


class _EngineCalls:
    """What both forms share: where the engine is and how to prove the admin secret."""

    def __init__(self, endpoint: str, admin_secret: str | None = None) -> None:
        self.base_url = base_url(endpoint)
        self.admin_secret = admin_secret

    def admin_headers(self, **extra: str) -> dict[str, str]:
        """Headers proving the admin secret, plus ``extra`` (``X_Hasura_Role="user"``)."""
        headers = {name.replace("_", "-"): value for name, value in extra.items()}
        if self.admin_secret:
            headers["X-Hasura-Admin-Secret"] = self.admin_secret
        return headers

    def _graphql_headers(self, headers: Mapping[str, str] | None, admin: bool) -> dict[str, str]:
        return {**(self.admin_headers() if admin else {}), **dict(headers or {})}


class EngineClient(_EngineCalls):
    """The engine's APIs over a blocking httpx client (one connection pool, kept)."""

    def __init__(self, endpoint: str, admin_secret: str | None = None,
                 timeout: float = 30.0) -> None:
        super().__init__(endpoint, admin_secret)
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout,
                                 limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY))

    def post(self, path: str, body: Any, headers: Mapping[str, str] | None = None
             ) -> httpx.Response:
        """POST ``body`` as JSON to ``path`` with exactly ``headers``."""
        return self.http.post(path, json=body, headers=dict(headers or {}))

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None, *,
                headers: Mapping[str, str] | None = None, admin: bool = True,
                operation_name: str | None = None) -> Any:
        """A GraphQL request; its JSON answer (``admin`` adds the admin secret)."""
        return self.post(GRAPHQL_PATH, graphql_body(query, variables, operation_name),
                         self._graphql_headers(headers, admin)).json()

    def metadata(self, body: Any) -> httpx.Response:
        """A ``/v1/metadata`` call with the admin secret."""
        return self.post(METADATA_PATH, body, self.admin_headers())

    def query(self, body: Any) -> httpx.Response:
        """A ``/v1/query`` call with the admin secret."""
        return self.post(QUERY_PATH, body, self.admin_headers())

    def run_sql(self, sql: str, **options: Any) -> Any:
        """``run_sql`` through ``/v2/query``; its JSON answer (raises on an error status)."""
        response = self.post(RUN_SQL_PATH, run_sql_body(sql, **options), self.admin_headers())
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        """Close the HTTP connections."""
        self.http.close()

    def __enter__(self) -> EngineClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncEngineClient(_EngineCalls):
    """The engine's APIs over an asyncio httpx client (one connection pool, kept)."""

    def __init__(self, endpoint: str, admin_secret: str | None = None,
                 timeout: float = 30.0) -> None:
        super().__init__(endpoint, admin_secret)
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout,
                                      limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY))

    async def post(self, path: str, body: Any, headers: Mapping[str, str] | None = None
                   ) -> httpx.Response:
        """POST ``body`` as JSON to ``path`` with exactly ``headers``."""
        return await self.http.post(path, json=body, headers=dict(headers or {}))

    async def graphql(self, query: str, variables: Mapping[str, Any] | None = None, *,
                      headers: Mapping[str, str] | None = None, admin: bool = True,
                      operation_name: str | None = None) -> Any:
        """A GraphQL request; its JSON answer (``admin`` adds the admin secret)."""
        response = await self.post(GRAPHQL_PATH, graphql_body(query, variables, operation_name),
                                   self._graphql_headers(headers, admin))
        return response.json()

    async def metadata(self, body: Any) -> httpx.Response:
        """A ``/v1/metadata`` call with the admin secret."""
        return await self.post(METADATA_PATH, body, self.admin_headers())

    async def query(self, body: Any) -> httpx.Response:
        """A ``/v1/query`` call with the admin secret."""
        return await self.post(QUERY_PATH, body, self.admin_headers())

    async def run_sql(self, sql: str, **options: Any) -> Any:
        """``run_sql`` through ``/v2/query``; its JSON answer (raises on an error status)."""
        response = await self.post(RUN_SQL_PATH, run_sql_body(sql, **options),
                                   self.admin_headers())
        response.raise_for_status()
        return response.json()

    async def data(self, query: str, variables: Mapping[str, Any] | None = None, *,
                   admin: bool = True) -> dict[str, Any]:
        """The ``data`` of a GraphQL answer (``admin`` adds the admin secret when there is one).

        Raises:
            EngineCallError: the engine is unreachable, or answers no JSON, errors or no data.
        """
        body = orjson.dumps(graphql_body(query, variables))
        headers = {**self._graphql_headers(None, admin), "content-type": "application/json"}
        try:
            answer = await self.http.post(GRAPHQL_PATH, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise EngineCallError(f"engine unreachable: {type(exc).__name__}") from exc
        try:
            result = orjson.loads(answer.content)
        except orjson.JSONDecodeError:
            raise EngineCallError(f"engine answered {answer.status_code}, not JSON") from None
        if not isinstance(result, dict) or result.get("errors") or "data" not in result:
            errors = result.get("errors") if isinstance(result, dict) else None
            messages = "; ".join(str(e.get("message")) for e in errors or [])
            raise EngineCallError(f"engine answered errors: {messages or answer.status_code}")
        data: dict[str, Any] = result["data"]
        return data

    async def metadata_call(self, kind: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """One ``/v1/metadata`` operation with the admin secret; its JSON answer.

        Raises:
            EngineCallError: the engine is unreachable or answers an error status.
        """
        try:
            answer = await self.metadata({"type": kind, "args": dict(args)})
        except httpx.HTTPError as exc:
            raise EngineCallError(f"{kind}: engine unreachable: {type(exc).__name__}") from exc
        body: dict[str, Any] = answer.json()
        if answer.status_code != 200:
            raise EngineCallError(f"{kind}: {body.get('error') or body}")
        return body

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self.http.aclose()
