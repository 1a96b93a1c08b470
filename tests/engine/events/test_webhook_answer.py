"""One webhook call: what is sent, and the answer read as httpx's client would read it."""

from __future__ import annotations

import base64

import httpx
import pytest

from engine.events.transport import KeepAliveTransport
from engine.events.webhook import decoded_headers, decoded_text, post
from tests.engine.events.recorder import Answer, WebhookRecorder

ANSWERS = [
    ([(b"Content-Type", b"text/plain; charset=latin-1"), (b"X-A", b"1"), (b"x-a", b"2"),
      (b"Retry-After", b"3")], "café".encode("latin-1")),
    ([(b"content-type", b"application/json"), (b"x-u", "é".encode())], "é😀".encode()),
    ([(b"content-type", b"text/plain; charset=bogus")], b"\xff\xfeab"),
    ([(b"x-l", b"\xe9\xff")], b"\xffz"),
    ([(b"content-type", b'text/html; charset="UTF-16"')], "hi".encode("utf-16")),
    ([], b""),
]


@pytest.mark.parametrize(("headers", "content"), ANSWERS)
def test_decoded_answer_matches_httpx(headers: list[tuple[bytes, bytes]],
                                      content: bytes) -> None:
    """GIVEN raw response headers and body bytes.

    WHEN they are decoded for the invocation log
    THEN headers (names lower-cased, repeats joined) and text equal httpx's reading.
    """
    response = httpx.Response(200, headers=headers, content=content)
    expected = dict(response.headers.items())
    if not any(name.lower() == b"content-length" for name, _ in headers):
        expected.pop("content-length", None)  # httpx adds it for an in-memory body
    found = decoded_headers(headers)

    assert found == expected
    assert decoded_text(content, found.get("content-type")) == response.text


async def test_post_sends_url_credentials_and_a_configured_host() -> None:
    """GIVEN a webhook URL with credentials, and a configured Host header.

    WHEN an event is posted
    THEN the credentials go as Basic auth, the configured Host replaces the URL's, the
    answer (status, headers, body) is recorded, and no header is sent twice.
    """
    answer = Answer(202, b"accepted", {"Retry-After": "7", "X-Answer": "yes"})
    transport = KeepAliveTransport(max_idle=2)
    try:
        async with WebhookRecorder(lambda _n, _r: answer) as hook:
            url = hook.url.replace("http://", "http://ada:s%40cret@") + "/e?x=1"
            attempt = await post(transport, url, {"Host": "hooks.example", "X-Trace": "t1"},
                                 b'{"n":1}', 5)
    finally:
        await transport.aclose()

    (received,) = hook.received
    assert received.path.endswith("/e?x=1")
    assert received.headers["authorization"] == "Basic " + base64.b64encode(
        b"ada:s@cret").decode()
    assert received.headers["host"] == "hooks.example"
    assert received.headers["x-trace"] == "t1"
    assert received.body == b'{"n":1}'
    assert (attempt.status, attempt.body, attempt.retry_after) == (202, "accepted", 7.0)
    assert dict(attempt.response_headers)["x-answer"] == "yes"
