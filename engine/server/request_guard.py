"""What every JSON API request must pass before its body is parsed.

- **A JSON content type.** Browsers send ``text/plain``, form encodings and ``multipart``
  across sites without a CORS preflight; refusing anything but ``application/json`` (or a
  ``+json`` type) means a cross-site page cannot make a browser post a query or a
  metadata call with the victim's cookies or network position.
- **A bounded body.** A declared ``Content-Length`` past the limit is refused before a byte
  is read; a chunked body is read only until it passes the limit. Either way 413.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.types import Receive, Scope, Send

from common.errors import ServiceError
from engine.server.responses import send_json


class RequestRefusedError(ServiceError):
    """The request is refused before its body is parsed (``status``, ``code``, ``message``)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code, status=status)


Headers = Sequence[tuple[bytes, bytes]]
"""A request's headers as the HTTP server hands them: lower-cased names, in order."""


def _header(headers: Headers, wanted: bytes) -> bytes | None:
    for name, value in headers:
        if name == wanted:
            return bytes(value)
    return None


def check_json_content_type(headers: Headers) -> None:
    """Refuse a request whose ``Content-Type`` is not JSON.

    Raises:
        RequestRefusedError: 415 ``invalid-headers``.
    """
    raw = _header(headers, b"content-type")
    media = (raw or b"").split(b";", 1)[0].strip().lower()
    if media == b"application/json" or (media.startswith(b"application/")
                                        and media.endswith(b"+json")):
        return
    shown = media.decode("latin-1")[:80] or "none"
    raise RequestRefusedError(415, "invalid-headers",
                         f"the Content-Type must be application/json (got {shown})")


def check_declared_length(headers: Headers, limit: int) -> None:
    """Refuse a request whose declared ``Content-Length`` passes ``limit``, before reading it.

    Raises:
        RequestRefusedError: 413 ``request-too-large``; 400 for a length that is not a number.
    """
    declared = _header(headers, b"content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise RequestRefusedError(400, "invalid-headers", "Content-Length is not a number") \
                from None
        if size > limit:
            raise too_large(limit)


def check_request_headers(headers: Headers, limit: int) -> None:
    """Both checks made before a byte of the body is read (content type, declared length).

    Raises:
        RequestRefusedError: 415, 413 or 400.
    """
    check_json_content_type(headers)
    check_declared_length(headers, limit)


async def read_limited_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, refused once it would pass ``limit`` bytes.

    Raises:
        RequestRefusedError: 413 ``request-too-large``.
    """
    chunks: list[bytes] = []
    total = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        total += len(chunk)
        if total > limit:
            raise too_large(limit)
        chunks.append(chunk)
        more = message.get("more_body", False)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def read_json_request(scope: Scope, receive: Receive, send: Send, limit: int,
                            error: Callable[[str, str], Any]) -> bytes | None:
    """The body of a request that passes both guards, or None once a refusal is answered.

    ``error(message, code)`` shapes the refusal as the endpoint words its errors.
    """
    try:
        check_request_headers(scope["headers"], limit)
        return await read_limited_body(receive, limit)
    except RequestRefusedError as exc:
        await send_json(send, exc.status, error(exc.message, exc.code))
        return None


def too_large(limit: int) -> RequestRefusedError:
    """The refusal of a body past ``limit`` bytes (413 ``request-too-large``)."""
    return RequestRefusedError(413, "request-too-large",
                          f"the request body is larger than the limit of {limit} bytes")
