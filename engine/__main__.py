"""``python -m engine serve``: run the engine with Hasura's environment variables."""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn

from engine.settings import EngineSettings, SettingsError


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
                       help="serve a GraphiQL page at /console")
    return parser


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
    uvicorn.run(app, host=settings.host, port=settings.port, loop="uvloop", http="httptools",
                access_log=False, log_level="warning", lifespan="on")
    return 0


if __name__ == "__main__":
    sys.exit(main())
