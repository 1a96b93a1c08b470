"""Settings of the Coinbase price job, read once at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.config import Environ

DEFAULT_API_URL = "https://api.coinbase.com"
DEFAULT_EXCHANGE_URL = "https://api.exchange.coinbase.com"


@dataclass(frozen=True)
class CoinbaseSettings:
    """Where Coinbase is and how patiently to ask it."""

    api_url: str = DEFAULT_API_URL
    """Coinbase's public API (spot prices): COINBASE_API_URL."""
    exchange_url: str = DEFAULT_EXCHANGE_URL
    """Coinbase Exchange's public API (tickers: bid, ask, volume): COINBASE_EXCHANGE_URL."""
    quote_currency: str = "USD"
    timeout: float = 5.0
    attempts: int = 3
    """Calls per URL at most (the first plus retries on 429, 5xx, timeouts)."""
    backoff: float = 0.5
    """Seconds before the first retry, doubled each time (a Retry-After wins)."""

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> CoinbaseSettings:
        """Read ``COINBASE_*`` variables; every one has a default."""
        read = Environ(env)
        return cls(
            api_url=read.text("COINBASE_API_URL", DEFAULT_API_URL).rstrip("/"),
            exchange_url=read.text("COINBASE_EXCHANGE_URL", DEFAULT_EXCHANGE_URL).rstrip("/"),
            quote_currency=read.text("COINBASE_QUOTE_CURRENCY", "USD"),
            timeout=read.number("COINBASE_TIMEOUT_SECONDS", 5.0, minimum=0),
            attempts=max(1, read.integer("COINBASE_ATTEMPTS", 3)),
            backoff=read.number("COINBASE_BACKOFF_SECONDS", 0.5, minimum=0),
        )
