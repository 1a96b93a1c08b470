"""Coinbase's public price endpoints: spot (``/v2/prices``) and Exchange tickers.

Amounts arrive as strings and are parsed as :class:`~decimal.Decimal`, never floats.
Transient failures (429, 5xx, timeouts, dropped connections) are retried a bounded number
of times with exponential backoff; everything else fails at once with a machine code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from lambdas.coinbase_prices.settings import CoinbaseSettings

MAX_RETRY_AFTER = 10.0
"""Longest Retry-After honoured within one run (the next run is a minute away)."""


class CoinbaseError(RuntimeError):
    """A price could not be had; ``code`` says why (for the run's summary)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Spot:
    """``GET /v2/prices/{base}-{currency}/spot``."""

    amount: Decimal
    base: str
    currency: str


@dataclass(frozen=True)
class Ticker:
    """``GET /products/{base}-{currency}/ticker`` (Coinbase Exchange)."""

    price: Decimal
    bid: Decimal | None
    ask: Decimal | None
    volume: Decimal | None
    time: datetime | None


def _decimal(
    data: Mapping[str, Any], key: str, where: str, required: bool = True
) -> Decimal | None:
    value = data.get(key)
    if value is None:
        if required:
            raise CoinbaseError("missing-field", f"{where}: field {key!r} is missing")
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise CoinbaseError("malformed-response", f"{where}: {key!r} is not a number") from None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class CoinbaseClient:
    """Fetches prices with timeouts and bounded retries."""

    def __init__(
        self,
        settings: CoinbaseSettings,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.http = http or httpx.Client(
            timeout=settings.timeout, headers={"User-Agent": "coinbase-prices-job/1"}
        )
        self._sleep = sleep

    def spot(self, base: str, currency: str) -> Spot:
        """The spot price of ``base`` in ``currency``."""
        where = f"spot {base}-{currency}"
        body = self._get_json(f"{self.settings.api_url}/v2/prices/{base}-{currency}/spot", where)
        data = body.get("data")
        if not isinstance(data, Mapping):
            raise CoinbaseError("missing-field", f"{where}: field 'data' is missing")
        amount = _decimal(data, "amount", where)
        assert amount is not None
        return Spot(amount, str(data.get("base", base)), str(data.get("currency", currency)))

    def ticker(self, base: str, currency: str) -> Ticker:
        """The Exchange ticker of ``base``-``currency``: last trade, best bid/ask, 24 h volume."""
        where = f"ticker {base}-{currency}"
        body = self._get_json(
            f"{self.settings.exchange_url}/products/{base}-{currency}/ticker", where
        )
        price = _decimal(body, "price", where)
        assert price is not None
        return Ticker(
            price=price,
            bid=_decimal(body, "bid", where, required=False),
            ask=_decimal(body, "ask", where, required=False),
            volume=_decimal(body, "volume", where, required=False),
            time=_time(body.get("time")),
        )

    def _get_json(self, url: str, where: str) -> Mapping[str, Any]:
        attempts = self.settings.attempts
        for attempt in range(1, attempts + 1):
            wait = self.settings.backoff * 2 ** (attempt - 1)
            try:
                response = self.http.get(url, timeout=self.settings.timeout)
            except httpx.TimeoutException:
                error = CoinbaseError(
                    "timeout", f"{where}: no answer within {self.settings.timeout:g}s"
                )
            except httpx.TransportError as exc:
                error = CoinbaseError("unreachable", f"{where}: cannot reach Coinbase ({exc})")
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    error = CoinbaseError(
                        "rate-limited" if response.status_code == 429 else "upstream-error",
                        f"{where}: Coinbase answered {response.status_code}",
                    )
                    retry_after = response.headers.get("retry-after", "")
                    if retry_after.isdigit():
                        wait = min(float(retry_after), MAX_RETRY_AFTER)
                elif response.status_code != 200:
                    raise CoinbaseError(
                        "bad-request", f"{where}: Coinbase answered {response.status_code}"
                    )
                else:
                    try:
                        body = response.json()
                    except ValueError:
                        raise CoinbaseError(
                            "malformed-response", f"{where}: the answer is not JSON"
                        ) from None
                    if not isinstance(body, Mapping):
                        raise CoinbaseError(
                            "malformed-response", f"{where}: the answer is not an object"
                        )
                    return body
            if attempt < attempts:
                self._sleep(wait)
        raise error
