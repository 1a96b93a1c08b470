"""``python -m engine serve``: run the engine with Hasura's environment variables."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from typing import TYPE_CHECKING

import uvicorn

from engine.server.http_protocol import EngineHttpProtocol
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
    return parser


class _Server(uvicorn.Server):
    """uvicorn, closing the GraphQL websockets with 1001 before it closes connections (1012)."""

    def __init__(self, config: uvicorn.Config, close_websockets: Callable[[], Awaitable[None]],
                 ) -> None:
        super().__init__(config)
        self.close_websockets = close_websockets

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
            enable_console=args.enable_console,
        )
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
    _Server(config, app.close_websockets).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
