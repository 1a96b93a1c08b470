"""``/console`` and ``/console/...``: the built console, under a same-origin-only CSP.

Every page of the single-page app is ``index.html``; files under ``assets/`` carry a
content hash in their names, so they are cached for good. The server never sends the admin
secret: the page asks for it and keeps it in the browser tab's session storage.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from engine.console.assets import DIST, Asset, ConsoleNotBuiltError, load_assets

logger = logging.getLogger("engine.console")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    # GraphiQL's stylesheet embeds a few images as data: URLs (no other origin).
    "img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""Scripts, styles, fetches and websockets from this engine's own origin only."""

_SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
_IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def _assets(root: Path) -> dict[str, Asset]:
    return load_assets(root)


def _send(request: Request, asset: Asset, cache_control: str) -> Response:
    headers = {**_SECURITY_HEADERS, "cache-control": cache_control, "etag": asset.etag,
               "vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    body = asset.body
    if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["content-encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)


def console_routes(root: Path = DIST) -> list[Route]:
    """The routes serving the console built under ``root``."""

    async def page(request: Request) -> Response:
        try:
            assets = _assets(root)
        except ConsoleNotBuiltError as exc:
            logger.error("%s", exc)
            return PlainTextResponse(str(exc), status_code=503, headers=_SECURITY_HEADERS)
        path = request.path_params.get("path", "")
        if path.startswith("assets/"):
            asset = assets.get(path)
            if asset is None:
                return PlainTextResponse("not found", status_code=404, headers=_SECURITY_HEADERS)
            return _send(request, asset, _IMMUTABLE)
        return _send(request, assets["index.html"], "no-cache")

    return [
        Route("/console", page, methods=["GET", "HEAD"]),
        Route("/console/{path:path}", page, methods=["GET", "HEAD"]),
    ]
