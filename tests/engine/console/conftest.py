"""Fixtures of the console's browser tests.

An engine serving the console over the project's schema, seeds and metadata, a webhook for
its event trigger, and one headless Chromium (Debian's) for the whole module.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, sync_playwright

from devstack.hasura_project import metadata_dir, seeds
from devstack.hasura_project.engine_client import MetadataClient
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR, REPO_ROOT
from devstack.services.engine import EngineHandle
from engine.console.assets import DIST
from tests.hasura.conftest import METADATA_ENV

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = REPO_ROOT / ".state" / "test-output" / "console"
"""Where the browser tests leave a screenshot of each page (to look at)."""


@dataclass
class Webhook:
    """A loopback HTTP server answering 200 to every POST, keeping the bodies."""

    url: str
    bodies: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture(scope="module")
def webhook() -> Iterator[Webhook]:
    """The event trigger's receiver for this module."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            received.append(json.loads(self.rfile.read(length) or b"{}"))
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Webhook(f"http://127.0.0.1:{server.server_address[1]}/echo", received)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def console_engine(
    create_database: Callable[[str], str], start_engine: Callable[..., EngineHandle],
    webhook: Webhook,
) -> EngineHandle:
    """An engine with the console on, over the migrated and seeded project database."""
    url = create_database("console")
    Migrator(url, HASURA_DIR / "migrations").apply()
    seeds.apply(url, seeds.seed_files(HASURA_DIR / "seeds"))
    handle = start_engine(url, enable_console=True, extra_env={
        **METADATA_ENV, "EVENT_TRIGGER_URL": webhook.url,
        "HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL": "200",
    })
    assert handle.admin_secret is not None
    MetadataClient(handle.base_url, handle.admin_secret).replace_metadata(
        metadata_dir.read(HASURA_DIR).metadata
    )
    return handle


@dataclass
class Browser:
    """One page of a fresh Chromium profile, with every request and console error kept."""

    page: Page
    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        """Save the page as ``<name>.png`` under :data:`SCREENSHOTS`."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Headless Chromium (Debian's package) driven by Playwright, one for the module."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (./dev test installs Debian's chromium)")
    if not (DIST / "index.html").exists():
        pytest.skip("the console is not built (./dev setup builds it)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1440, "height": 900}, accept_downloads=True,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(20_000)
            recorded = Browser(page)
            page.on("request", lambda request: recorded.urls.append(request.url))
            page.on("websocket", lambda ws: recorded.urls.append(ws.url))

            def on_console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    recorded.errors.append(message.text)

            page.on("console", on_console)
            yield recorded
        finally:
            context.close()
