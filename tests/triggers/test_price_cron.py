"""The Coinbase price job end to end: engine cron → trigger service → Lambda → GraphQL.

Every piece is the real one (engine, trigger service, local Lambda Invoke API running the
real handler, PostgreSQL); only Coinbase is a local stand-in serving its documented shapes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from common.config import Secret
from devstack.ports import free_port
from devstack.services.engine import EngineServer
from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.services.triggers import TriggersService
from devstack.settings import StackSettings
from lambdas.coinbase_prices.coinbase import CoinbaseClient
from lambdas.coinbase_prices.prices import run
from lambdas.coinbase_prices.settings import CoinbaseSettings
from lambdas.shared.graphql import GraphQLClient
from lambdas.shared.settings import GraphQLSettings
from tests.engine.events.recorder import Answer, Received, WebhookRecorder
from tests.triggers.project import (
    ADMIN_SECRET,
    SHARED_SECRET,
    apply_metadata,
    engine_server,
    migrated_database,
    project_metadata,
)


@dataclass
class FakeCoinbase:
    """Answers spot and ticker requests from ``quotes``; assets in ``failing`` get 500."""

    quotes: dict[str, str] = field(default_factory=lambda: {"BTC": "64000.10", "ETH": "3100.5"})
    failing: set[str] = field(default_factory=set)

    def answer(self, _n: int, request: Received) -> Answer:
        # /v2/prices/BTC-USD/spot or /products/BTC-USD/ticker
        base = request.path.split("/")[-2].split("-")[0]
        if base in self.failing or base not in self.quotes:
            return Answer(500, b'{"message":"internal"}')
        price = self.quotes[base]
        if request.path.endswith("/spot"):
            body: dict[str, Any] = {"data": {"amount": price, "base": base, "currency": "USD"}}
        else:
            body = {"ask": price, "bid": price, "volume": "10.5", "trade_id": 1, "price": price,
                    "size": "0.1", "time": "2026-11-21T23:59:58.5Z"}
        return Answer(200, json.dumps(body).encode())


@dataclass
class PriceStack:
    database_url: str
    engine: EngineServer
    triggers_url: str
    coinbase: FakeCoinbase

    def rows(self, minute: datetime) -> list[tuple[str, Decimal]]:
        with psycopg.connect(self.database_url) as conn:
            found = conn.execute(
                "SELECT asset_symbol, price FROM crypto_prices WHERE minute = %s "
                "ORDER BY asset_symbol", (minute,),
            ).fetchall()
        return [(symbol, price) for symbol, price in found]


@pytest.fixture(scope="module")
async def price_stack(
    create_database: Callable[[str], str], state_root: Path
) -> AsyncIterator[PriceStack]:
    fake = FakeCoinbase()
    async with WebhookRecorder(fake.answer) as coinbase:
        url = await asyncio.to_thread(migrated_database, create_database)
        with psycopg.connect(url) as conn:
            conn.execute(
                "INSERT INTO crypto_assets (symbol, name, is_tracked) VALUES "
                "('BTC', 'Bitcoin', true), ('ETH', 'Ethereum', true), ('DOGE', 'Doge', false)"
            )
        settings = dataclasses.replace(
            StackSettings.load(), state_dir=state_root, triggers_port=free_port(),
            lambda_port=free_port(), action_shared_secret=SHARED_SECRET,
        )
        triggers = TriggersService(settings)
        # A cron run in flight when the stack stops calls back into the stopping engine:
        # let the engine give up on it after 2 s rather than Hasura's 60.
        engine = engine_server(url, state_root, "engine-prices",
                               {"TRIGGERS_BASE_URL": triggers.url(),
                                "HASURA_GRAPHQL_GRACEFUL_SHUTDOWN_TIMEOUT": "2"})
        runtime = LambdaRuntimeService(settings, function_environment={"coinbase_prices": {
            "HASURA_GRAPHQL_ENDPOINT": engine.graphql_url(),
            "HASURA_GRAPHQL_ADMIN_SECRET": ADMIN_SECRET,
            "COINBASE_API_URL": coinbase.url,
            "COINBASE_EXCHANGE_URL": coinbase.url,
            "COINBASE_BACKOFF_SECONDS": "0",
        }})
        metadata = project_metadata()
        for cron in metadata["cron_triggers"]:
            cron["schedule"] = "*/2 * * * * *"  # every 2 s instead of every minute
        started: list[Any] = []
        try:
            for service in (runtime, triggers, engine):
                await asyncio.to_thread(service.start)
                started.append(service)
            await asyncio.to_thread(apply_metadata, engine, metadata)
            yield PriceStack(url, engine, triggers.url(), fake)
        finally:
            for service in reversed(started):
                await asyncio.to_thread(service.stop)


async def post_cron(stack: PriceStack, scheduled_time: str) -> httpx.Response:
    body: dict[str, Any] = {
        "id": "run-1", "name": "fetch_crypto_prices", "scheduled_time": scheduled_time,
        "payload": {}, "comment": None,
    }
    async with httpx.AsyncClient(timeout=60) as client:
        return await client.post(stack.triggers_url + "/cron/fetch-crypto-prices", json=body,
                                 headers={"X-Action-Secret": SHARED_SECRET})


async def test_price_job_run_twice_in_a_minute_stores_one_row_per_asset(
    price_stack: PriceStack,
) -> None:
    """GIVEN tracked BTC and ETH (and an untracked DOGE).

    WHEN the cron handler runs twice for the same minute, the price changing in between
    THEN each tracked asset has exactly one row for that minute, holding the newer price.
    """
    minute = datetime(2020, 1, 1, 0, 0, tzinfo=UTC)
    first = await post_cron(price_stack, "2020-01-01T00:00:00Z")
    price_stack.coinbase.quotes["BTC"] = "64100.25"
    second = await post_cron(price_stack, "2020-01-01T00:00:00Z")

    assert first.status_code == 200, first.text
    assert second.json() == {"stored": 2, "failed": [], "minute": "2020-01-01T00:00:00+00:00"}
    assert price_stack.rows(minute) == [("BTC", Decimal("64100.25")), ("ETH", Decimal("3100.5"))]


async def test_price_job_one_failing_asset_does_not_lose_the_others(
    price_stack: PriceStack,
) -> None:
    """GIVEN Coinbase failing (500) for ETH only.

    WHEN the job runs
    THEN BTC is stored and the summary names ETH with its error.
    """
    price_stack.coinbase.failing = {"ETH"}
    try:
        answer = await post_cron(price_stack, "2020-01-01T00:01:00Z")
    finally:
        price_stack.coinbase.failing = set()

    summary = answer.json()
    assert answer.status_code == 200
    assert summary["stored"] == 1
    assert [f["asset"] for f in summary["failed"]] == ["ETH"]
    assert "upstream-error" in summary["failed"][0]["error"]
    assert [s for s, _ in price_stack.rows(datetime(2020, 1, 1, 0, 1, tzinfo=UTC))] == ["BTC"]


async def test_price_job_is_driven_by_the_engine_cron(price_stack: PriceStack) -> None:
    """GIVEN the project's fetch_crypto_prices cron trigger (every 2 s here) on the engine.

    WHEN a few seconds pass
    THEN runs are delivered to the trigger service and this minute's prices are stored.
    """
    deadline = asyncio.get_running_loop().time() + 20
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    while asyncio.get_running_loop().time() < deadline:
        stored = price_stack.rows(now) or price_stack.rows(now + timedelta(minutes=1))
        if len(stored) == 2:
            break
        await asyncio.sleep(0.5)
    assert [s for s, _ in stored] == ["BTC", "ETH"]
    with psycopg.connect(price_stack.database_url) as conn:
        delivered = conn.execute(
            "SELECT count(*) FROM hdb_catalog.hdb_cron_events "
            "WHERE trigger_name = 'fetch_crypto_prices' AND status = 'delivered'"
        ).fetchone()
    assert delivered is not None
    assert delivered[0] >= 1


async def test_price_job_offline_reports_clearly(
    price_stack: PriceStack, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN Coinbase unreachable (nothing listens on its address).

    WHEN the job runs
    THEN nothing is stored, every asset is reported unreachable and one error line says so.
    """
    offline = CoinbaseClient(CoinbaseSettings(
        api_url="http://127.0.0.1:9", exchange_url="http://127.0.0.1:9", attempts=2, backoff=0,
    ))
    graphql = GraphQLClient(GraphQLSettings(price_stack.engine.graphql_url(),
                                            Secret(ADMIN_SECRET)))
    minute = datetime(2020, 1, 1, 0, 2, tzinfo=UTC)
    logger = logging.getLogger("tests.coinbase_prices")

    with caplog.at_level(logging.INFO, logger="tests.coinbase_prices"):
        summary = await asyncio.to_thread(run, graphql, offline, minute, logger)

    assert summary["stored"] == 0
    assert sorted(f["asset"] for f in summary["failed"]) == ["BTC", "ETH"]
    assert all(f["error"].startswith("unreachable") for f in summary["failed"])
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        "Coinbase is unreachable: no price stored for this minute; the next run retries"
    ]
    assert price_stack.rows(minute) == []
