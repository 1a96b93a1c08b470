"""``python -m engine serve``: run the engine with Hasura's environment variables."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from typing import TYPE_CHECKING

import uvicorn

from engine.server.http_protocol import EngineHttpProtocol
from engine.server.workers import (
    LISTEN_FD_FLAG,
    READY_FD_FLAG,
    Supervisor,
    listening_sockets,
    report_ready,
    worker_argv,
)
from engine.settings import EngineSettings, SettingsError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

LISTEN_BACKLOG = 4096
"""Pending connections the kernel queues (capped by ``net.core.somaxconn``): a burst of
websocket handshakes waits in the queue instead of being dropped and retried a second later."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine",
                                     description="A Hasura-compatible GraphQL engine.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve /v1/graphql, /v1/metadata, /v1/query, ...")
    serve.add_argument("--host", help="address to bind (HASURA_GRAPHQL_SERVER_HOST)")
    serve.add_argument("--port", type=int, help="port (HASURA_GRAPHQL_SERVER_PORT)")
    serve.add_argument("--stringify-numeric-types", action="store_true", default=None,
                       help="answer bigint and numeric values as JSON strings")
    serve.add_argument("--enable-console", action="store_true", default=None,
                       help="serve the admin console at /console")
    serve.add_argument("--workers", type=int,
                       help="engine processes sharing the port (ENGINE_WORKERS, default 1)")
    # Set by the supervisor of several workers (engine/server/workers.py) for each worker.
    serve.add_argument(LISTEN_FD_FLAG, type=int, help=argparse.SUPPRESS)
    serve.add_argument(READY_FD_FLAG, type=int, help=argparse.SUPPRESS)
    return parser


class _Server(uvicorn.Server):
    """uvicorn, closing the GraphQL websockets with 1001 before it closes connections (1012)."""

    def __init__(self, config: uvicorn.Config, close_websockets: Callable[[], Awaitable[None]],
                 ready_fd: int | None = None) -> None:
        super().__init__(config)
        self.close_websockets = close_websockets
        self.ready_fd = ready_fd

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start as uvicorn does, then tell the supervisor (if any) this worker serves."""
        await super().startup(sockets)
        if self.started:
            report_ready(self.ready_fd)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Close the websockets (going away), then shut down as uvicorn does."""
        await self.close_websockets()
        await super().shutdown(sockets)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, read the settings and serve until stopped."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = EngineSettings.from_env(
            host=args.host, port=args.port,
            stringify_numeric_types=args.stringify_numeric_types,
            enable_console=args.enable_console, workers=args.workers,
        )
        if settings.workers > 1 and args.listen_fd is None:
            return _supervise(settings, sys.argv[1:] if argv is None else argv)
        from engine.server.app import create_app

        app = create_app(settings)
    except SettingsError as exc:
        print(f"engine: {exc}", file=sys.stderr)
        return 2
    # proxy_headers off: uvicorn would otherwise let X-Forwarded-For from 127.0.0.1 replace
    # the socket peer; the engine reads that header itself, from trusted proxies only.
    config = uvicorn.Config(app, host=settings.host, port=settings.port, loop="uvloop",
                            http=EngineHttpProtocol, access_log=False, log_level="warning",
                            lifespan="on", ws_max_size=settings.websocket_max_message_size,
                            proxy_headers=False, backlog=LISTEN_BACKLOG,
                            # As Hasura: no compression (a deflate context per socket costs
                            # memory and CPU for every message) and no protocol-level pings
                            # (the GraphQL keep-alive messages keep sockets alive).
                            ws_per_message_deflate=False, ws_ping_interval=None)
    sockets = None if args.listen_fd is None else [socket.socket(fileno=args.listen_fd)]
    _Server(config, app.close_websockets, args.ready_fd).run(sockets=sockets)
    return 0


def _supervise(settings: EngineSettings, argv: list[str]) -> int:
    """Open the port ``settings.workers`` times and run that many workers on it."""
    try:
        sockets = listening_sockets(settings.host, settings.port, settings.workers,
                                    LISTEN_BACKLOG)
    except OSError as exc:
        print(f"engine: cannot listen on {settings.host}:{settings.port}: {exc}",
              file=sys.stderr)
        return 1
    return Supervisor(sockets, worker_argv(argv)).run()


if __name__ == "__main__":
    sys.exit(main())
