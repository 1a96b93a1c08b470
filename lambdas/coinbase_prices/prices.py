"""One run of the price job: read tracked assets, fetch each, upsert one row per asset."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from lambdas.coinbase_prices.coinbase import CoinbaseClient, CoinbaseError, Spot, Ticker
from lambdas.shared.graphql import GraphQLError

TRACKED_ASSETS = """
query TrackedAssets {
  crypto_assets(where: {is_tracked: {_eq: true}}, order_by: {symbol: asc}) {
    symbol
  }
}
"""

STORE_PRICES = """
mutation StorePrices($prices: [crypto_prices_insert_input!]!) {
  insert_crypto_prices(
    objects: $prices
    on_conflict: {
      constraint: crypto_prices_asset_symbol_quote_currency_minute_key
      update_columns: [price, bid, ask, volume, source_time]
    }
  ) {
    affected_rows
  }
}
"""
"""An upsert on (asset, currency, minute): a second run in the same minute updates the row."""

OFFLINE_CODES = frozenset({"unreachable", "timeout"})


class GraphQLExecutor(Protocol):
    """Anything that runs a document with variables (the shared GraphQL client)."""

    def execute(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run ``document`` with ``variables``."""


@dataclass(frozen=True)
class PriceRow:
    """One ``crypto_prices`` row."""

    asset: str
    currency: str
    price: Decimal
    bid: Decimal | None
    ask: Decimal | None
    volume: Decimal | None
    source_time: datetime | None
    minute: datetime

    def variables(self) -> dict[str, Any]:
        """The row as an insert input (numerics as strings: exact, as PostgreSQL parses them)."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "asset_symbol": self.asset,
            "quote_currency": self.currency,
            "price": str(self.price),
            "bid": text(self.bid),
            "ask": text(self.ask),
            "volume": text(self.volume),
            "source_time": None if self.source_time is None else self.source_time.isoformat(),
            "minute": self.minute.isoformat(),
        }


def minute_of(moment: datetime) -> datetime:
    """The UTC minute ``moment`` falls in."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def price_row(coinbase: CoinbaseClient, asset: str, currency: str, minute: datetime) -> PriceRow:
    """The row for ``asset``: spot price, with bid/ask/volume from the ticker when it answers.

    Raises:
        CoinbaseError: neither endpoint gave a price.
    """
    spot: Spot | None = None
    ticker: Ticker | None = None
    first_error: CoinbaseError | None = None
    try:
        spot = coinbase.spot(asset, currency)
    except CoinbaseError as exc:
        first_error = exc
    try:
        ticker = coinbase.ticker(asset, currency)
    except CoinbaseError as exc:
        first_error = first_error or exc
    if spot is not None:
        price = spot.amount
    elif ticker is not None:
        price = ticker.price
    else:
        assert first_error is not None
        raise first_error
    bid = ticker.bid if ticker else None
    ask = ticker.ask if ticker else None
    if bid is not None and ask is not None and bid > ask:  # a crossed book is not a quote
        bid = ask = None
    return PriceRow(
        asset=asset,
        currency=currency,
        price=price,
        bid=bid,
        ask=ask,
        volume=ticker.volume if ticker else None,
        source_time=ticker.time if ticker else None,
        minute=minute,
    )


def tracked_assets(graphql: GraphQLExecutor) -> list[str]:
    """Symbols of the assets to price, from ``crypto_assets``."""
    data = graphql.execute(TRACKED_ASSETS, {})
    return [str(row["symbol"]) for row in data["crypto_assets"]]


def store(graphql: GraphQLExecutor, rows: list[PriceRow]) -> tuple[int, list[dict[str, str]]]:
    """Upsert ``rows`` in one mutation; if it fails, row by row so one bad row loses only itself."""
    if not rows:
        return 0, []
    try:
        graphql.execute(STORE_PRICES, {"prices": [r.variables() for r in rows]})
    except GraphQLError:
        pass
    else:
        return len(rows), []
    stored, failed = 0, []
    for row in rows:
        try:
            graphql.execute(STORE_PRICES, {"prices": [row.variables()]})
        except GraphQLError as exc:
            failed.append({"asset": row.asset, "error": f"store-failed: {exc}"})
        else:
            stored += 1
    return stored, failed


def run(
    graphql: GraphQLExecutor,
    coinbase: CoinbaseClient,
    minute: datetime,
    logger: logging.Logger | Any,
) -> dict[str, Any]:
    """Price every tracked asset for ``minute``; returns ``{stored, failed, minute}``."""
    currency = coinbase.settings.quote_currency
    rows: list[PriceRow] = []
    failed: list[dict[str, str]] = []
    codes: set[str] = set()
    assets = tracked_assets(graphql)
    for asset in assets:
        try:
            rows.append(price_row(coinbase, asset, currency, minute))
        except CoinbaseError as exc:
            codes.add(exc.code)
            failed.append({"asset": asset, "error": f"{exc.code}: {exc}"})
    stored, store_failed = store(graphql, rows)
    failed += store_failed
    summary = {"stored": stored, "failed": failed, "minute": minute.isoformat()}
    if assets and not rows and codes <= OFFLINE_CODES:
        logger.error(
            "Coinbase is unreachable: no price stored for this minute; the next run retries",
            extra={"minute": summary["minute"], "failed": len(failed)},
        )
    elif failed:
        logger.warning("some prices were not stored", extra={"summary": summary})
    else:
        logger.info("prices stored", extra={"summary": summary})
    return summary


def scheduled_minute(event: Mapping[str, Any] | None, now: datetime) -> datetime:
    """The minute a run is for: the cron event's ``scheduled_time`` when given, else now.

    Using the scheduled time makes a retried or late run land on the same row.
    """
    raw = (event or {}).get("scheduled_time")
    if isinstance(raw, str):
        try:
            return minute_of(datetime.fromisoformat(raw.replace("Z", "+00:00")))
        except ValueError:
            pass
    return minute_of(now)
