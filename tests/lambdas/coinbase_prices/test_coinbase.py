"""The Coinbase client on the documented response shapes, including the ways they fail."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import respx

from lambdas.coinbase_prices.coinbase import CoinbaseClient, CoinbaseError
from lambdas.coinbase_prices.settings import CoinbaseSettings

API = "https://api.test-coinbase.example"
EXCHANGE = "https://exchange.test-coinbase.example"
SPOT = {"data": {"amount": "64123.45", "base": "BTC", "currency": "USD"}}
TICKER = {
    "ask": "64124.00", "bid": "64123.00", "volume": "12345.6789", "trade_id": 86326522,
    "price": "64123.50", "size": "0.0012", "time": "2026-11-21T23:59:58.123456Z",
}


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(sleeps: Sleeps) -> CoinbaseClient:
    settings = CoinbaseSettings(api_url=API, exchange_url=EXCHANGE, timeout=0.5, attempts=3,
                                backoff=0.1)
    return CoinbaseClient(settings, sleep=sleeps)


@respx.mock
def test_coinbase_spot_and_ticker_amounts_are_decimals(client: CoinbaseClient) -> None:
    """GIVEN Coinbase's documented spot and ticker answers.

    WHEN both are fetched
    THEN every amount is an exact Decimal and the trade time is parsed.
    """
    respx.get(f"{API}/v2/prices/BTC-USD/spot").respond(json=SPOT)
    respx.get(f"{EXCHANGE}/products/BTC-USD/ticker").respond(json=TICKER)

    spot = client.spot("BTC", "USD")
    ticker = client.ticker("BTC", "USD")

    assert spot.amount == Decimal("64123.45")
    assert (spot.base, spot.currency) == ("BTC", "USD")
    assert ticker.price == Decimal("64123.50")
    assert (ticker.bid, ticker.ask) == (Decimal("64123.00"), Decimal("64124.00"))
    assert ticker.volume == Decimal("12345.6789")
    assert ticker.time is not None
    assert ticker.time.isoformat() == "2026-11-21T23:59:58.123456+00:00"


@respx.mock
def test_coinbase_429_is_retried_after_retry_after(client: CoinbaseClient, sleeps: Sleeps) -> None:
    """GIVEN a 429 with Retry-After: 2, then the price.

    WHEN the spot price is fetched
    THEN it waits 2 s once and returns the price.
    """
    route = respx.get(f"{API}/v2/prices/ETH-USD/spot")
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(200, json={"data": {"amount": "3000.1", "base": "ETH", "currency": "USD"}}),
    ]

    assert client.spot("ETH", "USD").amount == Decimal("3000.1")
    assert sleeps == [2.0]
    assert route.call_count == 2


@respx.mock
def test_coinbase_500_is_retried_with_backoff_then_fails(
    client: CoinbaseClient, sleeps: Sleeps
) -> None:
    """GIVEN an endpoint answering 500 every time.

    WHEN the spot price is fetched
    THEN three calls are made with doubling waits, then an upstream-error.
    """
    route = respx.get(f"{API}/v2/prices/BTC-USD/spot").respond(500)

    with pytest.raises(CoinbaseError) as failure:
        client.spot("BTC", "USD")

    assert failure.value.code == "upstream-error"
    assert route.call_count == 3
    assert sleeps == [0.1, 0.2]


@respx.mock
def test_coinbase_malformed_json_fails_without_retry(client: CoinbaseClient) -> None:
    """GIVEN a 200 whose body is not JSON.

    WHEN the ticker is fetched
    THEN it fails at once as malformed-response.
    """
    route = respx.get(f"{EXCHANGE}/products/BTC-USD/ticker").respond(200, text="<html>oops")

    with pytest.raises(CoinbaseError) as failure:
        client.ticker("BTC", "USD")

    assert failure.value.code == "malformed-response"
    assert route.call_count == 1


@respx.mock
def test_coinbase_missing_amount_is_reported(client: CoinbaseClient) -> None:
    """GIVEN a spot answer without ``amount``.

    WHEN the spot price is fetched
    THEN it fails as missing-field naming the field.
    """
    respx.get(f"{API}/v2/prices/BTC-USD/spot").respond(json={"data": {"base": "BTC"}})

    with pytest.raises(CoinbaseError, match="amount") as failure:
        client.spot("BTC", "USD")

    assert failure.value.code == "missing-field"


@respx.mock
def test_coinbase_non_numeric_amount_is_malformed(client: CoinbaseClient) -> None:
    """GIVEN a ticker whose price is not a number.

    WHEN it is fetched
    THEN it fails as malformed-response.
    """
    respx.get(f"{EXCHANGE}/products/BTC-USD/ticker").respond(json={**TICKER, "price": "n/a"})

    with pytest.raises(CoinbaseError) as failure:
        client.ticker("BTC", "USD")

    assert failure.value.code == "malformed-response"


@respx.mock
def test_coinbase_timeout_is_retried_then_reported(client: CoinbaseClient) -> None:
    """GIVEN an endpoint that times out every time.

    WHEN the spot price is fetched
    THEN it is tried three times and fails as timeout.
    """
    route = respx.get(f"{API}/v2/prices/BTC-USD/spot").mock(
        side_effect=httpx.ReadTimeout("slow")
    )

    with pytest.raises(CoinbaseError) as failure:
        client.spot("BTC", "USD")

    assert failure.value.code == "timeout"
    assert route.call_count == 3


@respx.mock
def test_coinbase_unreachable_is_reported_as_such(client: CoinbaseClient) -> None:
    """GIVEN no network (connection refused).

    WHEN the spot price is fetched
    THEN it fails as unreachable.
    """
    respx.get(f"{API}/v2/prices/BTC-USD/spot").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(CoinbaseError) as failure:
        client.spot("BTC", "USD")

    assert failure.value.code == "unreachable"


def test_coinbase_settings_default_to_the_public_apis() -> None:
    """GIVEN no COINBASE_* variables.

    WHEN the settings are read
    THEN the public Coinbase and Exchange URLs are used, and overrides are honoured.
    """
    defaults = CoinbaseSettings.from_environment({})
    custom = CoinbaseSettings.from_environment({"COINBASE_API_URL": "http://127.0.0.1:9/"})

    assert defaults.api_url == "https://api.coinbase.com"
    assert defaults.exchange_url == "https://api.exchange.coinbase.com"
    assert custom.api_url == "http://127.0.0.1:9"
