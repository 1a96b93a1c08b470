"""Queries over the price archive: ``crypto_prices`` rows the system itself moved to S3.

The daily cron trigger (:mod:`price_archive.archive`) writes one Parquet file per day under
``crypto_prices_archive/dt=YYYY-MM-DD/``. Athena reads it as the Glue table
``crypto_prices_archive`` (partition projection on the string ``dt``); locally DuckDB reads
the same files as a view of that name (hive partitioning, ``dt`` kept a string). Both run the
SQL text below, every value bound as a parameter; the ``dt`` range prunes partitions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from credit_history.errors import CreditHistoryError

ARCHIVE_TABLE = "crypto_prices_archive"
ARCHIVE_PREFIX = "crypto_prices_archive/"
"""Under the data prefix, as the archiver writes it (``dt=YYYY-MM-DD/part-*.parquet``)."""
ARCHIVE_COLUMNS = ("asset_symbol", "quote_currency", "price", "minute", "dt")
MAX_ROWS = 10_000
MAX_DAYS = 366
_SYMBOL = re.compile(r"^[A-Za-z0-9._-]{1,20}$")


class InvalidArchiveQueryError(CreditHistoryError):
    """An archive query outside what the service accepts (symbol, days, limit)."""

    code = "invalid-archive-query"


@dataclass(frozen=True)
class ArchivedPriceRow:
    """One archived minute price."""

    asset_symbol: str
    quote_currency: str
    price: str
    """As the archive stores it: the exact decimal text."""
    minute: datetime
    day: date


@dataclass(frozen=True)
class ArchiveQuery:
    """A checked request: one symbol, whole days ``first_day``..``last_day``, a row limit."""

    asset_symbol: str
    first_day: date
    last_day: date
    limit: int

    @classmethod
    def checked(cls, asset_symbol: str, first_day: date, last_day: date,
                limit: int) -> ArchiveQuery:
        """The query, refused when the symbol, the day range or the limit is out of bounds.

        Raises:
            InvalidArchiveQueryError: what is wrong with it.
        """
        if not _SYMBOL.match(asset_symbol):
            raise InvalidArchiveQueryError(f"invalid asset symbol: {asset_symbol[:40]!r}")
        if last_day < first_day or (last_day - first_day).days >= MAX_DAYS:
            raise InvalidArchiveQueryError(
                f"the day range must run forward and span at most {MAX_DAYS} days")
        if not 1 <= limit <= MAX_ROWS:
            raise InvalidArchiveQueryError(f"limit must be between 1 and {MAX_ROWS}")
        return cls(asset_symbol.upper(), first_day, last_day, limit)

    def parameters(self) -> list[str]:
        """The statement's values, in order (text: ``dt`` is a string partition)."""
        return [self.asset_symbol, self.first_day.isoformat(), self.last_day.isoformat()]


def archived_prices_sql(limit: int) -> str:
    """The statement reading one symbol's archived prices, oldest first.

    ``limit`` is checked to be an int in bounds before it is written into the text (Athena
    binds no parameter in LIMIT); every other value is a ``?`` parameter.
    """
    if not isinstance(limit, int) or not 1 <= limit <= MAX_ROWS:
        raise ValueError(f"limit must be an int between 1 and {MAX_ROWS}")
    return (f"SELECT {', '.join(ARCHIVE_COLUMNS)} FROM {ARCHIVE_TABLE} "  # noqa: S608
            "WHERE asset_symbol = ? AND dt BETWEEN ? AND ? "
            f"ORDER BY minute, quote_currency LIMIT {limit}")


def archived_row(values: tuple[object, ...] | list[object]) -> ArchivedPriceRow:
    """A row from the statement's columns (DuckDB values, or Athena's text)."""
    symbol, quote, price, minute, day = values
    when = minute if isinstance(minute, datetime) else datetime.fromisoformat(str(minute))
    if when.tzinfo is None:  # Athena's timestamp: UTC, as the archive wrote it
        when = when.replace(tzinfo=UTC)
    return ArchivedPriceRow(str(symbol), str(quote), str(price), when,
                            day if isinstance(day, date) else date.fromisoformat(str(day)))
