"""``/v1/metadata``, ``/v1/query`` and ``/v2/query``: admin-only APIs over the metadata."""

from __future__ import annotations

import logging

import orjson
from starlette.types import Receive, Scope, Send

from engine.auth.errors import AuthError
from engine.server.request_guard import read_json_request
from engine.server.responses import api_error, send_json
from engine.server.state import ServerState

logger = logging.getLogger("engine.server")


# The v1 query API's data operations: any role may use them, its permissions applying.
DATA_OPERATIONS = frozenset({"select", "count", "insert", "update", "delete"})


def _data_only(request: object) -> bool:
    """Whether a v1 query request holds data operations only (a ``bulk`` of them too)."""
    if not isinstance(request, dict):
        return False
    if request.get("type") == "bulk":
        args = request.get("args")
        return isinstance(args, list) and bool(args) and all(_data_only(a) for a in args)
    return request.get("type") in DATA_OPERATIONS


class AdminEndpoint:
    """The ASGI app of one admin API (``api`` names the operation registry to use)."""

    def __init__(self, state: ServerState, api: str) -> None:
        self.state = state
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request."""
        if scope["method"] != "POST":
            await send_json(send, 405, api_error("only POST is supported", "not-supported"))
            return
        body = await read_json_request(scope, receive, send,
                                       self.state.settings.max_body_bytes, api_error)
        if body is None:
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            session = await self.state.resolver.resolve(headers)
        except AuthError as exc:
            await send_json(send, exc.status, api_error(exc.message, exc.code))
            return
        try:
            request = orjson.loads(body)
        except orjson.JSONDecodeError:
            request = None
            if session.is_admin:
                await send_json(send, 400, api_error("invalid JSON in the request body",
                                                     "invalid-json"))
                return
        if not session.is_admin and not (self.api == "query" and _data_only(request)):
            # The query APIs check the role inside the operation's arguments (path $.args).
            path = "$.args" if self.api in ("query", "v2query") and request is not None else "$"
            await send_json(send, 400, api_error("restricted access : admin only",
                                                 "access-denied", path))
            return
        manager = self.state.metadata
        if manager is None:
            await send_json(send, 503, api_error("the engine is starting", "unexpected"))
            return
        try:
            status, result = await manager.execute(self.api, request, session)
        except Exception:
            logger.exception("unexpected error in %s", self.api)
            await send_json(send, 500, api_error("unexpected error", "unexpected"))
            return
        await send_json(send, status, result)
