"""Settings of the Coinbase price job, read once at cold start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from lambdas.shared.settings import MissingSettingError

DEFAULT_API_URL = "https://api.coinbase.com"
DEFAULT_EXCHANGE_URL = "https://api.exchange.coinbase.com"


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise MissingSettingError(f"{name} (a number; got {raw!r})") from None


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
        source = os.environ if env is None else env
        return cls(
            api_url=(source.get("COINBASE_API_URL") or DEFAULT_API_URL).rstrip("/"),
            exchange_url=(source.get("COINBASE_EXCHANGE_URL") or DEFAULT_EXCHANGE_URL).rstrip("/"),
            quote_currency=source.get("COINBASE_QUOTE_CURRENCY") or "USD",
            timeout=_number(source, "COINBASE_TIMEOUT_SECONDS", 5.0),
            attempts=max(1, int(_number(source, "COINBASE_ATTEMPTS", 3))),
            backoff=_number(source, "COINBASE_BACKOFF_SECONDS", 0.5),
        )
