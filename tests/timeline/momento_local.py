"""A Momento-protocol server for tests, in this process.

Momento's own gRPC service definitions, served by grpcio, keeping scalar items in memory
with their TTL.

Momento's service cannot run on these machines; this speaks its wire protocol (the
``momento_wire_types`` stubs the SDK itself uses), so the SDK client in
:mod:`timeline.cache.momento` is exercised end to end: requests, metadata (the ``cache``
header), TTLs, hits, misses and errors. Only ``Get``, ``Set`` and ``Delete`` are served.
"""

from __future__ import annotations

import time
from typing import Any

import grpc  # type: ignore[import-untyped]  # grpcio ships no type hints
from momento_wire_types import cacheclient_pb2 as pb
from momento_wire_types import cacheclient_pb2_grpc as pb_grpc

from devstack.ports import LOOPBACK, free_port


class _Scs(pb_grpc.ScsServicer):
    def __init__(self, server: MomentoLocal) -> None:
        self.server = server

    async def _cache(self, context: Any) -> dict[bytes, tuple[bytes, float]]:
        metadata = dict(context.invocation_metadata())
        name = str(metadata.get("cache"))
        self.server.requests.append(name)
        if name not in self.server.caches:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"cache {name!r} not found")
        return self.server.caches[name]

    async def Get(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method name
        items = await self._cache(context)
        found = items.get(request.cache_key)
        if found is None or found[1] <= time.monotonic():
            items.pop(request.cache_key, None)
            return pb._GetResponse(result=pb.Miss)
        return pb._GetResponse(result=pb.Hit, cache_body=found[0])

    async def Set(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method name
        items = await self._cache(context)
        items[request.cache_key] = (request.cache_body,
                                    time.monotonic() + request.ttl_milliseconds / 1000)
        return pb._SetResponse(result=pb.Ok)

    async def Delete(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method name
        (await self._cache(context)).pop(request.cache_key, None)
        return pb._DeleteResponse()


class MomentoLocal:
    """``async with MomentoLocal(["timeline"]) as server``: serves on ``server.address``."""

    def __init__(self, caches: list[str]) -> None:
        self.caches: dict[str, dict[bytes, tuple[bytes, float]]] = {c: {} for c in caches}
        self.requests: list[str] = []
        self.port = free_port()
        self.address = f"{LOOPBACK}:{self.port}"
        self._server: Any = None

    async def start(self) -> None:
        """Serve until :meth:`stop`."""
        self._server = grpc.aio.server()
        pb_grpc.add_ScsServicer_to_server(  # type: ignore[no-untyped-call]  # generated code
            _Scs(self), self._server)
        self._server.add_insecure_port(self.address)
        await self._server.start()

    async def stop(self) -> None:
        """Stop serving (clients then get errors)."""
        if self._server is not None:
            await self._server.stop(grace=None)
            self._server = None

    async def __aenter__(self) -> MomentoLocal:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
