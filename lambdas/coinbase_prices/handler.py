"""Lambda entry point of the every-minute Coinbase price job (invoked by the cron handler)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.coinbase_prices.coinbase import CoinbaseClient
from lambdas.coinbase_prices.prices import run, scheduled_minute
from lambdas.coinbase_prices.settings import CoinbaseSettings
from lambdas.shared.graphql import client_from_environment
from lambdas.shared.logging import get_logger

logger = get_logger("coinbase_prices")
graphql = client_from_environment()
"""The engine client: settings read at import, the client built once per warm instance."""
COINBASE_SETTINGS = CoinbaseSettings.from_environment()
"""Read at import too: a missing or malformed setting fails the cold start, named."""


@cache
def coinbase() -> CoinbaseClient:
    """The Coinbase client (keep-alive across warm invocations)."""
    return CoinbaseClient(COINBASE_SETTINGS)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any] | None, context: LambdaContext) -> dict[str, Any]:
    """Store this minute's price of every tracked asset; returns the run's summary."""
    minute = scheduled_minute(event, datetime.now(UTC))
    return run(graphql(), coinbase(), minute, logger)
