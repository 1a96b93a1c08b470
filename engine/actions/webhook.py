"""Calling an action's handler the way Hasura does, and reading its answer."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from engine.actions.definitions import (
    ActionDef,
    UnsetVariableError,
    resolve_template,
    resolved_headers,
)
from engine.actions.errors import ActionHandlerError, unexpected
from engine.actions.handler_client import HandlerClient
from engine.graphql.errors import GraphQLFieldError
from engine.http_headers import wire_headers

NOT_FORWARDED = frozenset({
    "content-length", "content-md5", "user-agent", "host", "origin", "referer", "accept",
    "accept-encoding", "accept-language", "accept-datetime", "cache-control", "connection",
    "dnt", "content-type", "transfer-encoding", "x-hasura-admin-secret",
})
"""Client headers never passed on (transport headers, and the admin secret)."""


def request_headers(action: ActionDef, client_headers: Mapping[str, str],
                    env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Forwarded client headers (when enabled), then the configured ones (which win)."""
    source = os.environ if env is None else env
    headers: dict[str, str] = {}
    if action.forward_client_headers:
        headers.update({k: v for k, v in client_headers.items()
                        if k.lower() not in NOT_FORWARDED})
    try:
        headers.update(resolved_headers(action.headers, source))
    except UnsetVariableError as exc:
        raise unexpected(str(exc)) from None
    headers["content-type"] = "application/json"
    return headers


def action_body(action: ActionDef, arguments: Mapping[str, Any],
                session_variables: Mapping[str, str], request_query: str) -> dict[str, Any]:
    """Hasura's handler payload."""
    return {
        "action": {"name": action.name},
        "input": dict(arguments),
        "session_variables": dict(session_variables),
        "request_query": request_query,
    }


async def call_handler(client: HandlerClient, action: ActionDef, body: Mapping[str, Any],
                       headers: Mapping[str, str]) -> Any:
    """POST the payload; the answer's JSON on 2xx, else the GraphQL error Hasura gives."""
    try:
        url = resolve_template(action.handler, os.environ)
    except UnsetVariableError as exc:
        raise unexpected(str(exc)) from None
    try:
        response = await client.post(url, orjson.dumps(body), wire_headers(headers),
                                     action.timeout)
    except httpx.TimeoutException:
        raise unexpected("http exception when calling webhook: response timeout") from None
    except httpx.HTTPError as exc:
        raise unexpected(f"http exception when calling webhook: {type(exc).__name__}") from None
    status = response.status_code
    try:
        answer = orjson.loads(response.content) if response.content else None
    except orjson.JSONDecodeError:
        answer = _NOT_JSON
    if 200 <= status < 300:
        if answer is _NOT_JSON:
            raise unexpected("not a valid json response from webhook")
        return answer
    if 400 <= status < 500:
        raise _client_error(answer)
    raise unexpected("internal error")


_NOT_JSON = object()


def _client_error(answer: Any) -> GraphQLFieldError:
    if not isinstance(answer, dict) or not isinstance(answer.get("message"), str):
        return unexpected("got an unexpected response from the action handler (4xx without "
                          "a message)")
    extensions = answer.get("extensions")
    code = answer.get("code") if isinstance(answer.get("code"), str) else None
    return ActionHandlerError(answer["message"],
                              extensions if isinstance(extensions, dict) else None, code)
