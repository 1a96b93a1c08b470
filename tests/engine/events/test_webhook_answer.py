"""A webhook's answer, read straight from the transport, as httpx's client would read it."""

from __future__ import annotations

import httpx
import pytest

from engine.events.webhook import decoded_headers, decoded_text

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
