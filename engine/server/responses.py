"""Writing JSON responses straight to ASGI (the hot path skips Starlette's Response objects)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import Send

from common.errors import ServiceError

JSON_HEADERS = [(b"content-type", b"application/json; charset=utf-8")]

Answer = tuple[int, bytes, list[tuple[bytes, bytes]] | None]
"""A JSON response, whatever carries it: status, body (JSON), extra headers (or None)."""


async def send_json_bytes(send: Send, status: int, body: bytes,
                          extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send ``body`` (already JSON) with ``status`` (and ``extra_headers``)."""
    headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
    if extra_headers:
        headers.extend(extra_headers)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def send_json(send: Send, status: int, value: Any) -> None:
    """Serialise ``value`` and send it with ``status``."""
    await send_json_bytes(send, status, orjson.dumps(value))


def json_answer(status: int, value: Any) -> Answer:
    """``value`` serialised, answered with ``status`` and no extra header."""
    return status, orjson.dumps(value), None


def graphql_error(message: str, code: str, path: str = "$") -> dict[str, Any]:
    """A GraphQL response with one error in Hasura's shape."""
    return {"errors": [ServiceError(message, code=code, path=path).to_json()]}


def api_error(message: str, code: str, path: str = "$") -> dict[str, Any]:
    """An admin API error body in Hasura's shape."""
    return ServiceError(message, code=code, path=path).to_api_json()
