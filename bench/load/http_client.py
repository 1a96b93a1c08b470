"""A minimal HTTP/1.1 keep-alive client on asyncio streams, cheap enough to generate load.

General clients (httpx, aiohttp) spend more CPU per request than the servers under test
answer in; this one sends a prebuilt request and reads exactly one response.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Response:
    """A response: status, lower-cased headers and the (decoded) body."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    wire_bytes: int
    """Body bytes as received (before gzip decoding)."""


def build_request(url: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    """The bytes of a ``POST`` of ``body`` to ``url`` with ``headers``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Content-Type: application/json",
             f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One keep-alive connection to ``host:port``."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        """Connect to the server of ``url``."""
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> Response:
        """Send a prebuilt request and read its response."""
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            body = await self.reader.read()
        wire = len(body)
        if headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return Response(status, headers, body, wire)

    async def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        """Close the connection."""
        self.writer.close()


def is_graphql_success(response: Response) -> bool:
    """A 200 whose body carries no GraphQL ``errors``."""
    return response.status == 200 and b'"errors"' not in response.body
