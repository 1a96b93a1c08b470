"""``POST /pro/cache/clear``: Hasura's endpoint to clear cached responses (admin only).

``?key=<X-Hasura-Query-Cache-Key>`` clears one entry, ``?family=<X-Hasura-Query-Family-
Cache-Key>`` every entry of one query, and neither clears them all.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.response_cache.store import RedisResponseStore
from engine.server.admin_only import admin_refusal
from engine.server.responses import api_error
from engine.server.state import ServerState

log = logging.getLogger(__name__)


def clear_endpoint(state: ServerState, store: RedisResponseStore
                   ) -> Callable[[Request], Awaitable[Response]]:
    """The request handler of ``POST /pro/cache/clear`` for ``store``."""

    async def clear(request: Request) -> Response:
        refused = await admin_refusal(state, request)
        if refused is not None:
            return refused
        key = request.query_params.get("key")
        family = request.query_params.get("family")
        try:
            cleared = await store.clear(key=key, family=family)
        except (RedisError, OSError) as exc:
            log.warning("clearing the response cache failed: %s", exc)
            return JSONResponse(api_error("the response cache is unavailable", "unexpected"),
                                status_code=500)
        return JSONResponse({"message": "success", "cleared": cleared})

    return clear
