"""The hooks other engine packages plug into: metadata listeners and metadata operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from engine.metadata.ops import load_builtin_ops, lookup, names, register
from engine.server.app import create_app
from engine.server.lifecycle import ListenerGroup, load_plugins
from engine.settings import EngineSettings


class Recorder:
    """A listener that records its calls (and can be told to fail)."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[str] = []
        self.fail_on = fail_on

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name == self.fail_on:
            raise RuntimeError(f"{name} failed")

    async def start(self, pool: Any, metadata: Mapping[str, Any]) -> None:
        self._call("start")

    async def apply(self, metadata: Mapping[str, Any]) -> None:
        self._call("apply")

    async def stop(self) -> None:
        self._call("stop")


async def test_lifecycle_a_failing_listener_does_not_stop_the_others() -> None:
    """Lifecycle a failing listener does not stop the others.

    GIVEN two listeners, the first failing to start WHEN the group starts, applies and stops
    THEN the second gets every call and the failed one is not applied or stopped.
    """
    broken, healthy = Recorder(fail_on="start"), Recorder()
    group = ListenerGroup([broken, healthy])
    await group.start(None, {})  # type: ignore[arg-type]  # the recorder never uses the pool
    await group.apply({})
    await group.stop()
    assert broken.calls == ["start"]
    assert healthy.calls == ["start", "apply", "stop"]


def test_lifecycle_plugins_that_do_not_exist_are_skipped() -> None:
    """Lifecycle plugins that do not exist are skipped.

    GIVEN a plugin list with a missing package WHEN loaded THEN it is skipped, others load.
    """
    assert load_plugins(("engine.no_such_plugin", "engine.metadata")) == ["engine.metadata"]


def test_ops_registry_registers_for_the_named_apis() -> None:
    """Ops registry registers for the named apis.

    GIVEN an operation registered for the query API only WHEN looked up THEN it is found
    there and not on the metadata API; built-ins are listed.
    """
    async def handler(ctx: Any, args: Any) -> Any:
        return {"message": "success"}

    register("test_only_op", apis=("query",))(handler)
    load_builtin_ops()
    assert lookup("query", "test_only_op") is handler
    assert lookup("metadata", "test_only_op") is None
    assert {"pg_track_table", "replace_metadata", "bulk"} <= set(names("metadata"))
    assert {"run_sql", "insert", "track_table"} <= set(names("query"))
    with pytest.raises(ValueError, match="unknown API"):
        register("x", apis=("nope",))


async def get(app: Any, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
        return await client.get(path)


async def test_console_is_served_only_when_enabled() -> None:
    """Console is served only when enabled.

    GIVEN the console enabled, then not WHEN /console is fetched THEN the console page
    under a same-origin CSP, then 404; the page never contains the admin secret.
    """
    base = {"HASURA_GRAPHQL_DATABASE_URL": "postgresql://127.0.0.1:1/x",
            "HASURA_GRAPHQL_ADMIN_SECRET": "console-secret"}
    enabled = create_app(EngineSettings.from_env({**base, "HASURA_GRAPHQL_ENABLE_CONSOLE": "1"}))
    page = await get(enabled, "/console")
    assert page.status_code in (200, 503)  # 503: not built in this checkout (says so)
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert "console-secret" not in page.text
    disabled = create_app(EngineSettings.from_env(base))
    assert (await get(disabled, "/console")).status_code == 404
    assert (await get(disabled, "/console/assets/x.js")).status_code == 404


async def test_cors_allows_any_origin_without_credentials_by_default() -> None:
    """Cors allows any origin without credentials by default.

    GIVEN the default HASURA_GRAPHQL_CORS_DOMAIN (``*``) WHEN a browser origin sends a
    preflight and a request THEN the preflight is 204 with the requested headers allowed,
    the origin is ``*`` and credentials are never allowed; without an Origin no CORS header.
    """
    app = create_app(EngineSettings.from_env({
        "HASURA_GRAPHQL_DATABASE_URL": "postgresql://127.0.0.1:1/x"}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
        pre = await client.options("/v1/graphql", headers={
            "Origin": "http://app.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert pre.status_code == 204
        assert pre.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in pre.headers
        assert pre.headers["access-control-allow-headers"] == "authorization,content-type"
        page = await client.get("/v1/version", headers={"Origin": "http://app.example"})
        assert page.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in page.headers
        plain = await client.get("/v1/version")
        assert "access-control-allow-origin" not in plain.headers


@pytest.mark.parametrize(("origin", "allowed"), [
    ("https://app.example.com", True),
    ("https://eu.shop.example.com", True),
    ("http://localhost:3000", True),
    ("https://evil.example", False),
    ("http://localhost:3001", False),
    ("https://example.com.evil.net", False),
])
async def test_cors_reflects_only_listed_origins_with_credentials(origin: str,
                                                                  allowed: bool) -> None:
    """Cors reflects only listed origins with credentials.

    GIVEN HASURA_GRAPHQL_CORS_DOMAIN listing exact origins and a ``*.`` wildcard WHEN an
    origin asks THEN a listed one gets itself back with credentials, any other no CORS
    header at all (the browser withholds the answer).
    """
    app = create_app(EngineSettings.from_env({
        "HASURA_GRAPHQL_DATABASE_URL": "postgresql://127.0.0.1:1/x",
        "HASURA_GRAPHQL_CORS_DOMAIN": "https://app.example.com, https://*.shop.example.com,"
                                      " http://localhost:3000"}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
        page = await client.get("/v1/version", headers={"Origin": origin})
    if allowed:
        assert page.headers["access-control-allow-origin"] == origin
        assert page.headers["access-control-allow-credentials"] == "true"
    else:
        assert "access-control-allow-origin" not in page.headers
        assert "access-control-allow-credentials" not in page.headers
