"""Which headers reach an action handler, and as which bytes (no server)."""

from __future__ import annotations

from engine.http_headers import wire_headers


def test_wire_headers_forwards_or_drops_by_rule_and_never_raises() -> None:
    """Wire headers forwards or drops by rule and never raises.

    GIVEN client headers as the server decoded them (Latin-1), a configured value that only
    UTF-8 can hold, and headers no request may carry WHEN turned into wire bytes THEN the
    client's bytes are kept, the configured value goes as UTF-8, and the bad ones are dropped.
    """
    client_value = "café".encode().decode("latin-1")  # what the ASGI server hands over
    wire = dict(wire_headers({
        "x-client-name": client_value,
        "x-configured": "東京",
        "x-split": "a\r\nInjected: yes",
        "x-nul": "a\x00b",
        "bad name": "v",
        "x-tab": "a\tb",
    }))
    assert wire[b"x-client-name"] == "café".encode()
    assert wire[b"x-configured"] == "東京".encode()
    assert wire[b"x-tab"] == b"a\tb"
    assert set(wire) == {b"x-client-name", b"x-configured", b"x-tab"}
