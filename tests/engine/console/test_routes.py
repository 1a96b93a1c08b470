"""``/console`` served from a build folder: CSP, caching, gzip, a missing build."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
from starlette.applications import Starlette

from engine.console.routes import CONTENT_SECURITY_POLICY, console_routes

INDEX = "<!doctype html><div id=root></div><script type=module src=/console/assets/a.js></script>"


def build(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "a-1234.js").write_text("console.log('x');" * 200)
    return root


async def get(root: Path, path: str, **headers: str) -> httpx.Response:
    app = Starlette(routes=console_routes(root))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
        return await client.get(path, headers=headers)


async def test_routes_serve_the_app_under_a_same_origin_csp(tmp_path: Path) -> None:
    """Routes serve the app under a same origin csp.

    GIVEN a build WHEN /console, a deep link and an asset are fetched THEN each page is
    index.html, not cached, and every answer carries the same-origin CSP.
    """
    root = build(tmp_path / "dist")
    page = await get(root, "/console")
    deep = await get(root, "/console/data/users")
    asset = await get(root, "/console/assets/a-1234.js")

    assert page.text == INDEX == deep.text
    assert page.headers["cache-control"] == "no-cache"
    assert asset.headers["cache-control"].endswith("immutable")
    assert asset.headers["content-type"].startswith("text/javascript")
    for answer in (page, deep, asset):
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY


async def test_routes_gzip_and_revalidate_assets(tmp_path: Path) -> None:
    """Routes gzip and revalidate assets.

    GIVEN an asset WHEN fetched with gzip accepted, then with its ETag THEN it comes
    compressed (smaller, same bytes once decompressed), then as 304 without a body.
    """
    root = build(tmp_path / "dist")
    app = Starlette(routes=console_routes(root))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
        raw = await client.get("/console/assets/a-1234.js",
                               headers={"accept-encoding": "identity"})
        stream = await client.send(
            client.build_request("GET", "/console/assets/a-1234.js",
                                 headers={"accept-encoding": "gzip"}), stream=True)
        compressed = b"".join([chunk async for chunk in stream.aiter_raw()])
        again = await client.get("/console/assets/a-1234.js",
                                 headers={"if-none-match": raw.headers["etag"]})

    assert stream.headers["content-encoding"] == "gzip"
    assert len(compressed) < len(raw.content) / 10
    assert gzip.decompress(compressed) == raw.content
    assert again.status_code == 304
    assert again.content == b""


async def test_routes_answer_missing_assets_and_builds_clearly(tmp_path: Path) -> None:
    """Routes answer missing assets and builds clearly.

    GIVEN no build, then a build WHEN /console and an unknown asset are fetched THEN 503
    saying how to build it, then 404 for the unknown asset.
    """
    missing = await get(tmp_path / "nothing", "/console")
    unknown = await get(build(tmp_path / "dist"), "/console/assets/nope.js")

    assert missing.status_code == 503
    assert "./dev setup" in missing.text
    assert unknown.status_code == 404
