"""The trigger service (``triggers.app:app``): handlers for the engine's triggers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from common.errors import ServiceError
from timeline.settings import get_timeline_settings
from triggers.auctions import auction_created, close_auction
from triggers.crypto_prices import fetch_crypto_prices
from triggers.echo import echo
from triggers.errors import error_response
from triggers.price_archive import archive_crypto_prices
from triggers.settings import get_settings
from triggers.timeline import expire_posts, resources, timeline_posts_changed


async def healthz(_request: Request) -> Response:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def _trigger_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return error_response(exc)


@asynccontextmanager
async def _lifespan(_app: Starlette) -> AsyncIterator[None]:
    yield
    if resources.cache_info().currsize:  # built only if a timeline route ran
        await resources().close()
        resources.cache_clear()


def create_app() -> Starlette:
    """The application; settings are read here so a missing one stops the start."""
    get_settings()
    get_timeline_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/echo", echo, methods=["POST"]),
            Route("/cron/fetch-crypto-prices", fetch_crypto_prices, methods=["POST"]),
            Route("/cron/archive-crypto-prices", archive_crypto_prices, methods=["POST"]),
            Route("/events/timeline-posts", timeline_posts_changed, methods=["POST"]),
            Route("/cron/expire-posts", expire_posts, methods=["POST"]),
            Route("/events/auction-created", auction_created, methods=["POST"]),
            Route("/scheduled/close-auction", close_auction, methods=["POST"]),
        ],
        exception_handlers={ServiceError: _trigger_error},
        lifespan=_lifespan,
    )


app = create_app()
