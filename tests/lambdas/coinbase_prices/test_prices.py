"""The run's minute and row shape (the GraphQL side is covered end to end in tests/triggers)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import respx

from lambdas.coinbase_prices.coinbase import CoinbaseClient
from lambdas.coinbase_prices.prices import price_row, scheduled_minute
from lambdas.coinbase_prices.settings import CoinbaseSettings

NOW = datetime(2026, 11, 21, 23, 59, 42, tzinfo=UTC)
API = "https://api.test-coinbase.example"


def test_prices_minute_comes_from_the_cron_schedule() -> None:
    """GIVEN a cron event scheduled at 12:34:00 and delivered late.

    WHEN the run's minute is taken
    THEN it is the scheduled minute, not the current one; without a time it is now's.
    """
    assert scheduled_minute({"scheduled_time": "2026-11-21T12:34:00Z"}, NOW) == datetime(
        2026, 11, 21, 12, 34, tzinfo=UTC
    )
    assert scheduled_minute({}, NOW) == datetime(2026, 11, 21, 23, 59, tzinfo=UTC)
    assert scheduled_minute({"scheduled_time": "garbage"}, NOW).minute == 59


@respx.mock
def test_prices_row_keeps_the_spot_price_when_the_ticker_fails() -> None:
    """GIVEN a spot price and an Exchange ticker answering 404.

    WHEN the asset's row is built
    THEN it holds the spot price and no bid, ask or volume.
    """
    respx.get(f"{API}/v2/prices/BTC-USD/spot").respond(
        json={"data": {"amount": "100.5", "base": "BTC", "currency": "USD"}})
    respx.get(f"{API}/products/BTC-USD/ticker").respond(404)
    client = CoinbaseClient(CoinbaseSettings(api_url=API, exchange_url=API, backoff=0))

    row = price_row(client, "BTC", "USD", NOW)

    assert (row.price, row.bid, row.ask, row.volume) == (Decimal("100.5"), None, None, None)
    assert row.variables()["price"] == "100.5"


@respx.mock
def test_prices_row_drops_a_crossed_book() -> None:
    """GIVEN a ticker whose bid is above its ask.

    WHEN the row is built
    THEN bid and ask are left empty (the table refuses bid > ask), the price is kept.
    """
    respx.get(f"{API}/v2/prices/ETH-USD/spot").respond(
        json={"data": {"amount": "10", "base": "ETH", "currency": "USD"}})
    respx.get(f"{API}/products/ETH-USD/ticker").respond(
        json={"price": "10", "bid": "11", "ask": "9", "volume": "1"})
    client = CoinbaseClient(CoinbaseSettings(api_url=API, exchange_url=API, backoff=0))

    row = price_row(client, "ETH", "USD", NOW)

    assert (row.bid, row.ask, row.volume) == (None, None, Decimal("1"))
