"""A tiny GraphQL-shaped HTTP server for the load generator tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

OK_BODY = b'{"data":{"Customer":[{"Email":"a@b.c"}]}}'


class _Handler(BaseHTTPRequestHandler):
    """``/ok`` answers data, ``/errors`` a GraphQL error, ``/fail`` a 500."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes

    def do_POST(self) -> None:  # the name http.server dispatches to
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, body = {
            "/ok": (200, OK_BODY),
            "/errors": (200, b'{"errors":[{"message":"no"}]}'),
        }.get(self.path, (500, b"{}"))
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # wrk hangs up when its time is up
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def tiny_server() -> Iterator[str]:
    """Base URL of a local HTTP server answering like a GraphQL endpoint."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
