"""Answering one ``@cached`` query over HTTP: from Redis, or run and stored.

Only an answer without errors is stored. Hasura's response headers say what happened:
``X-Hasura-Query-Cache-Key`` (this answer's entry), ``X-Hasura-Query-Family-Cache-Key``
(every entry of this query, whatever its variables) and ``Cache-Control: max-age=<seconds
left>``. ``@cached(refresh: true)`` runs the query and replaces the entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.graphql.bodies import error_body
from engine.graphql.cached import cached_directive
from engine.graphql.engine import GraphQLEngine
from engine.response_cache.key import cache_keys
from engine.response_cache.store import RedisResponseStore
from engine.session import Session

Headers = list[tuple[bytes, bytes]]


def might_be_cached(payload: Any) -> bool:
    """A cheap look at a request body: could it be one ``@cached`` operation?"""
    if not isinstance(payload, dict):
        return False
    query = payload.get("query")
    return isinstance(query, str) and "cached" in query


def cache_headers(key: str, family: str, ttl: int) -> Headers:
    """Hasura's headers of a cached answer."""
    return [(b"x-hasura-query-cache-key", key.encode()),
            (b"x-hasura-query-family-cache-key", family.encode()),
            (b"cache-control", f"max-age={ttl}".encode())]


async def answer_cached(engine: GraphQLEngine, store: RedisResponseStore, payload: Any,
                        session: Session, headers: Mapping[str, str],
                        relay: bool = False) -> tuple[bytes, Headers]:
    """The answer to one request body that may carry ``@cached``, and its extra headers."""
    try:
        prepared = engine.prepare_http(payload, session, headers, relay)
        directive = (cached_directive(prepared.operation, prepared.variables)
                     if prepared.plan.operation == "query" else None)
        if directive is None:
            return await engine.answer(prepared), []
        key, family = cache_keys(prepared, directive, payload.get("variables") or {})
        if not directive.refresh:
            hit = await store.get(key)
            if hit is not None:
                return hit.body, cache_headers(key, family, hit.ttl)
        body = await engine.answer(prepared)
    except Exception as exc:
        return error_body(exc), []
    if body.startswith(b'{"data"') and await store.put(key, family, body, directive.ttl):
        return body, cache_headers(key, family, min(directive.ttl, store.max_ttl))
    return body, []
